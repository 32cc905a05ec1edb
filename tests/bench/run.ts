/**
 * `npm run bench`: load figures for the kit against `next build && next start`, on PGlite and on
 * PostgreSQL, plus token micro-benchmarks and table growth. Prints tables and writes JSON to
 * tests/artifacts/bench/. Loopback only; every run is bounded in time.
 *   BENCH_DURATION=8 (seconds per scenario)  BENCH_BACKENDS=pglite,pg  BENCH_GROWTH=1
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { HTTP_BACKENDS, startKit, type HttpBackend, type KitServer } from '../support/kit-servers';
import { BENCH_APP_DIR as appDir, prepareBenchApp } from './app';
import { runLoad, type ScenarioResult } from './load';
import { measureCurrentUser } from './current-user';
import { runMicroBenchmarks } from './micro';
import { refreshRequests, signInSessions } from './sessions';
import { measureFlush, seedTokens } from './growth';
import { findUserByUsername } from '@/db/queries/users';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const BACKENDS = (process.env.BENCH_BACKENDS ?? HTTP_BACKENDS.join(',')).split(
  ',',
) as HttpBackend[];
const USER = { username: 'bench', password: 'bench-password-1' };
const json = { 'content-type': 'application/json' };

/** Signs the bench user in: the access token, and the session cookie as a Cookie header (for pages). */
async function signIn(kit: KitServer): Promise<{ token: string; cookie: string }> {
  const response = await fetch(`${kit.url}/auth/sign-in/`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(USER),
  });
  if (!response.ok)
    throw new Error(`bench sign-in failed: ${response.status} ${await response.text()}`);
  const cookie =
    response.headers
      .getSetCookie()
      .find((header) => header.startsWith('session='))
      ?.split(';')[0] ?? '';
  return { token: ((await response.json()) as { access_token: string }).access_token, cookie };
}

async function scenarios(kit: KitServer): Promise<ScenarioResult[]> {
  const url = kit.url;
  const base = { url, duration: DURATION, connections: 10 };
  const { token, cookie } = await signIn(kit);
  const bearer = { authorization: `Bearer ${token}` };
  const session = { cookie };
  const run = (name: string, options: Partial<Parameters<typeof runLoad>[2]>) =>
    runLoad(name, kit.pid, { ...base, ...options });
  // Warm the server up first (JIT, route modules, connection pools), so the ceiling is not cold.
  for (const path of [
    '/bench/hello',
    '/bench/proxied/hello',
    '/bench/api',
    '/bench/proxied/api',
    '/bench/api-live',
    '/bench/page/plain',
    '/bench/page/user',
  ]) {
    await autocannon({
      url: `${url}${path}`,
      duration: 2,
      connections: 10,
      headers: { ...bearer, ...session },
    });
  }
  await autocannon({
    url: `${url}/auth/verify/`,
    method: 'POST',
    headers: json,
    body: JSON.stringify({ token }),
    duration: 2,
    connections: 10,
  });
  const results: ScenarioResult[] = [];
  results.push(await run('hello (ceiling)', { url: `${url}/bench/hello` }));
  results.push(await run('hello behind a no-op proxy', { url: `${url}/bench/proxied/hello` }));
  results.push(await run('JWKS', { url: `${url}/.well-known/jwks.json` }));
  results.push(
    await run('verify', {
      url: `${url}/auth/verify/`,
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token }),
    }),
  );
  results.push(
    await run('API guarded in its handler', { url: `${url}/bench/api`, headers: bearer }),
  );
  results.push(
    await run('API matched by the proxy', { url: `${url}/bench/proxied/api`, headers: bearer }),
  );
  // withAuth({ live: true }) next to the plain guarded route: one indexed read more per request.
  results.push(
    await run('API guarded, live (session in the database)', {
      url: `${url}/bench/api-live`,
      headers: bearer,
    }),
  );
  // The same server-rendered page in the kit's layout, without and with getCurrentUser().
  results.push(
    await run('page without getCurrentUser()', {
      url: `${url}/bench/page/plain`,
      headers: session,
    }),
  );
  results.push(
    await run('page with getCurrentUser()', { url: `${url}/bench/page/user`, headers: session }),
  );
  const sessions = await signInSessions(url, USER, base.connections);
  results.push(
    await run('refresh (rotation on)', { requests: refreshRequests(sessions), warmupSeconds: 0 }),
  );
  const signInBody = (password: string, username = USER.username) => ({
    url: `${url}/auth/sign-in/`,
    method: 'POST' as const,
    headers: json,
    body: JSON.stringify({ username, password }),
  });
  results.push(await run('sign-in, 10 connections', signInBody(USER.password)));
  results.push(
    await run('sign-in, 1 connection', { ...signInBody(USER.password), connections: 1 }),
  );
  results.push(
    await run('sign-in wrong password, 1 connection', {
      ...signInBody('wrong-password-1'),
      connections: 1,
    }),
  );
  results.push(
    await run('sign-in unknown user, 1 connection', {
      ...signInBody('whatever-pass-1', 'nobody-here'),
      connections: 1,
    }),
  );
  // The event loop must stay free while Argon2id hashes: a cheap route keeps answering fast.
  results.push(
    await run('hello alone, 1 connection', { url: `${url}/bench/hello`, connections: 1 }),
  );
  const load = autocannon({ ...signInBody(USER.password), duration: DURATION, connections: 10 });
  results.push(
    await run('hello during sign-in load, 1 connection', {
      url: `${url}/bench/hello`,
      connections: 1,
      warmupSeconds: 0,
    }),
  );
  await load;
  return results;
}

function printTable(title: string, rows: ScenarioResult[]): void {
  const hello = rows[0]?.reqPerSec ?? 1;
  console.log(`\n${title}`);
  console.log(
    'scenario'.padEnd(42) +
      'conn  req/s   ×hello   p50 ms  p90 ms  p99 ms  cpu µs/req  errors  non-2xx',
  );
  for (const r of rows) {
    console.log(
      r.name.padEnd(42) +
        String(r.connections).padStart(4) +
        String(r.reqPerSec).padStart(7) +
        (r.reqPerSec / hello).toFixed(2).padStart(9) +
        String(r.p50).padStart(9) +
        String(r.p90).padStart(8) +
        String(r.p99).padStart(8) +
        String(r.serverCpuUs).padStart(12) +
        String(r.errors).padStart(8) +
        String(r.non2xx).padStart(9),
    );
  }
}

async function growth(): Promise<Record<string, unknown> | null> {
  const kit = await startKit('pg', {
    appDir,
    env: { AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' },
    users: [USER, { username: 'filler', password: 'filler-password-1' }],
  });
  if (!kit?.database) return null;
  const db = kit.database.db;
  try {
    const filler = await findUserByUsername(db, 'filler');
    if (!filler) throw new Error('the filler user was not seeded');
    const fillerId = filler.id;
    const measure = async (rows: number) => {
      await seedTokens(db, fillerId, rows);
      const { token } = await signIn(kit);
      const sessions = await signInSessions(kit.url, USER, 10);
      const refresh = await runLoad(`refresh with ${rows} rows`, kit.pid, {
        url: kit.url,
        duration: Math.max(4, DURATION / 2),
        connections: 10,
        requests: refreshRequests(sessions),
        warmupSeconds: 0,
      });
      const verify = await runLoad(`verify with ${rows} rows`, kit.pid, {
        url: `${kit.url}/auth/verify/`,
        duration: Math.max(4, DURATION / 2),
        connections: 10,
        method: 'POST',
        headers: json,
        body: JSON.stringify({ token }),
      });
      return { refresh, verify };
    };
    const small = await measure(1_000);
    const large = await measure(1_000_000);
    const flush = await measureFlush(db);
    return {
      small,
      large,
      refreshP50Growth: large.refresh.p50 / Math.max(small.refresh.p50, 0.01) - 1,
      verifyP50Growth: large.verify.p50 / Math.max(small.verify.p50, 0.01) - 1,
      flush,
    };
  } finally {
    await kit.stop();
  }
}

async function main() {
  prepareBenchApp();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}; ${DURATION} s per scenario`,
  );
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine,
    durationSeconds: DURATION,
    backends: {},
  };
  for (const backend of BACKENDS) {
    const kit = await startKit(backend, {
      appDir,
      env: { AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' },
      users: [USER],
    });
    if (!kit) {
      console.log(`\n${backend}: skipped (PostgreSQL unreachable)`);
      continue;
    }
    try {
      const rows = await scenarios(kit);
      (report.backends as Record<string, unknown>)[backend] = rows;
      printTable(`${backend} (next start, production build)`, rows);
    } finally {
      await kit.stop();
    }
  }
  const micro = await runMicroBenchmarks();
  report.micro = micro;
  console.log('\ntoken micro-benchmarks (µs per operation, this process)');
  for (const m of micro)
    console.log(
      `${m.name.padEnd(36)} sign ${String(m.signUs).padStart(5)}   verify ${String(m.verifyUs).padStart(5)}`,
    );
  const currentUser: Record<string, unknown> = {};
  console.log("\nserver helpers in process (µs per call: wall, this process's CPU)");
  for (const backend of BACKENDS) {
    const rows = await measureCurrentUser(backend);
    currentUser[backend] = rows;
    for (const row of rows ?? [])
      console.log(
        `${backend.padEnd(7)} ${row.name.padEnd(42)} ${String(row.wallUs).padStart(6)} ${String(row.cpuUs).padStart(6)}`,
      );
  }
  report.currentUser = currentUser;
  if (process.env.BENCH_GROWTH !== '0') {
    const grown = await growth();
    report.growth = grown;
    if (grown) {
      console.log('\ngrowth (PostgreSQL): p50 with 1,000 → 1,000,000 outstanding/blacklisted rows');
      console.log(
        JSON.stringify(
          grown,
          (k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v),
          2,
        ),
      );
    }
  }
  mkdirSync('tests/artifacts/bench', { recursive: true });
  const file = `tests/artifacts/bench/bench-${Date.now()}.json`;
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nwritten ${file}`);
}

await main();
