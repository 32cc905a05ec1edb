/**
 * The benchmark's peers: Better Auth and Auth.js v5, each an app of its own under
 * tests/bench/peers/<name>/ with its own package.json and lockfile (pinned versions), installed
 * and built here only when the peer comparison runs (`npm run bench -- --peers`). They run on the
 * same Next.js as the kit, with `next start`, on loopback.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchDatabase } from '../support/databases';
import { freePort } from '../support/next-server';

export const PEERS_DIR = join(process.cwd(), 'tests/bench/peers');
export const PEER_NAMES = ['better-auth', 'authjs'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** A running peer: where it answers, its process (for its CPU) and its database, if any. */
export interface PeerServer {
  name: PeerName;
  url: string;
  pid: number;
  /** The PostgreSQL database it uses (Better Auth), for the database's CPU per request. */
  database: string | null;
  /** Cookie headers of one signed-in browser, per endpoint measured. */
  cookies: Record<string, string>;
  stop(): Promise<void>;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const BUILD_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  NODE_ENV: 'production',
  // Only so that `next build` does not warn while it collects page data: the server gets its own.
  BETTER_AUTH_SECRET: 'build-time-only-secret-0123456789abcdef',
  AUTH_SECRET: 'build-time-only-secret-0123456789abcdef',
};

/** `npm ci` when node_modules is missing or older than the lockfile, then `next build` when stale. */
export function preparePeer(name: PeerName): string {
  const dir = join(PEERS_DIR, name);
  const installed = join(dir, 'node_modules/.package-lock.json');
  const lock = join(dir, 'package-lock.json');
  if (!existsSync(installed) || newestMtime(lock) > newestMtime(installed)) {
    console.log(`[bench] npm ci in ${dir} ...`);
    execFileSync('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const built = newestMtime(join(dir, '.next/BUILD_ID'));
  const sources = Math.max(
    ...['app', 'lib', 'next.config.mjs', 'package-lock.json'].map((s) => newestMtime(join(dir, s))),
  );
  if (built <= sources) {
    console.log(`[bench] next build in ${dir} ...`);
    execFileSync(process.execPath, [join(dir, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: BUILD_ENV,
    });
  }
  return dir;
}

/** `next start` of a peer with its own Next.js, once its hello route answers. */
async function startNext(
  dir: string,
  env: Record<string, string>,
  port: number,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  let output = '';
  const child = spawn(
    process.execPath,
    [join(dir, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-100_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${dir}: next start exited:\n${output}`);
    try {
      if ((await fetch(`${url}/bench/hello`, { method: 'POST' })).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${dir}: next start did not answer:\n${output}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { child, url, output: () => output };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** `name=value` pairs of Set-Cookie headers, merged into `jar`. */
function absorb(jar: Map<string, string>, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(';')[0] ?? '';
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) =>
  [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

/**
 * Better Auth on a fresh database of the local PostgreSQL (node-postgres, a pool of 10: as the
 * kit's PostgreSQL backend), its tables created by its own migrator, one user signed up.
 */
async function startBetterAuth(user: { username: string; password: string }): Promise<PeerServer> {
  const dir = join(PEERS_DIR, 'better-auth');
  const scratch = await createScratchDatabase();
  const port = await freePort();
  const env = {
    DATABASE_URL: scratch.url,
    BETTER_AUTH_SECRET: `bench-${Math.random().toString(36).slice(2)}-0123456789abcdef`,
    BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
  };
  execFileSync(process.execPath, ['migrate.js'], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = await startNext(dir, env, port);
  const email = `${user.username}@example.com`;
  const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email, password: user.password, name: user.username }),
  });
  if (!signUp.ok) throw new Error(`Better Auth sign-up: ${signUp.status} ${await signUp.text()}`);
  const jar = new Map<string, string>();
  absorb(jar, signUp);
  const refresh = cookieHeader(jar);
  // The cookie cache (session_data) is set by the first get-session of the cached instance.
  const first = await fetch(`${server.url}/api/auth-cached/get-session`, {
    headers: { cookie: refresh },
  });
  if (!first.ok) throw new Error(`Better Auth get-session: ${first.status}`);
  absorb(jar, first);
  if (![...jar.keys()].some((name) => name.endsWith('session_data')))
    throw new Error('Better Auth set no session_data cookie');
  return {
    name: 'better-auth',
    url: server.url,
    pid: server.child.pid ?? 0,
    database: new URL(scratch.url).pathname.slice(1),
    cookies: { refresh, cached: cookieHeader(jar) },
    async stop() {
      await stopChild(server.child);
      await scratch.drop();
    },
  };
}

/** Auth.js v5 with its default stateless JWE session, signed in with the Credentials provider. */
async function startAuthJs(user: { username: string; password: string }): Promise<PeerServer> {
  const dir = join(PEERS_DIR, 'authjs');
  const port = await freePort();
  const server = await startNext(
    dir,
    {
      AUTH_SECRET: `bench-${Math.random().toString(36).slice(2)}-0123456789abcdef`,
      AUTH_URL: `http://127.0.0.1:${port}`,
      BENCH_USERNAME: user.username,
      BENCH_PASSWORD: user.password,
    },
    port,
  );
  const jar = new Map<string, string>();
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  absorb(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signIn = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookieHeader(jar),
      origin: server.url,
    },
    body: new URLSearchParams({ csrfToken, ...user }).toString(),
  });
  absorb(jar, signIn);
  if (!jar.has('authjs.session-token'))
    throw new Error(`Auth.js sign-in set no session cookie: ${signIn.status}`);
  const session = cookieHeader(jar);
  const check = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: session } });
  const body = (await check.json()) as { user?: { name?: string } } | null;
  if (body?.user?.name !== user.username)
    throw new Error(`Auth.js session: ${check.status} ${JSON.stringify(body)}`);
  return {
    name: 'authjs',
    url: server.url,
    pid: server.child.pid ?? 0,
    database: null,
    cookies: { session },
    stop: () => stopChild(server.child),
  };
}

/** Installs, builds and starts both peers, each with `user` signed in. */
export async function startPeers(user: { username: string; password: string }) {
  for (const name of PEER_NAMES) preparePeer(name);
  return { betterAuth: await startBetterAuth(user), authjs: await startAuthJs(user) };
}
