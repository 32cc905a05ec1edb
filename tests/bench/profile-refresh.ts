/**
 * Profiles the server under load: `tsx tests/bench/profile-refresh.ts` writes the server's
 * .cpuprofile under /tmp/kit-prof/<time>/ and prints its top frames over the measured seconds
 * alone (profile-top.ts), and the same for the hello route of the same build, so that what a row
 * adds to Next's own cost per request stands out. PROFILE_SCENARIO=refresh|verify|api|api-live
 * (refresh), PROFILE_BACKEND=pg|pglite (pg), PROFILE_SECONDS (8).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'autocannon';
import { startKit, type KitServer } from '../support/kit-servers';
import { prepareBenchApp } from './app';
import { runLoad } from './load';
import { topFrames, type Profile } from './profile-top';
import { refreshRequests, signInSessions } from './sessions';

const USER = { username: 'bench', password: 'bench-password-1' };
const SCENARIO = process.env.PROFILE_SCENARIO ?? 'refresh';
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const dir = `/tmp/kit-prof/${Date.now()}`;

async function accessToken(kit: KitServer): Promise<string> {
  const response = await fetch(`${kit.url}/auth/sign-in/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USER),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The row's requests; refresh takes its own sessions per run (autocannon keeps those in flight). */
async function requestsOf(kit: KitServer, scenario: string): Promise<Options> {
  const bearer = async () => ({ authorization: `Bearer ${await accessToken(kit)}` });
  switch (scenario) {
    case 'hello':
      return { url: `${kit.url}/bench/hello`, method: 'POST' };
    case 'refresh':
      return { url: kit.url, requests: refreshRequests(await signInSessions(kit.url, USER, 10)) };
    case 'verify':
      return {
        url: `${kit.url}/auth/verify/`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: await accessToken(kit) }),
      };
    case 'api':
      return { url: `${kit.url}/bench/api`, headers: await bearer() };
    case 'api-live':
      return { url: `${kit.url}/bench/api-live`, headers: await bearer() };
    default:
      throw new Error(`PROFILE_SCENARIO: no row "${scenario}"`);
  }
}

const appDir = prepareBenchApp();
const kit = await startKit((process.env.PROFILE_BACKEND as 'pg' | 'pglite') ?? 'pg', {
  appDir,
  env: { AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' },
  users: [USER],
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
if (!kit) throw new Error('no PostgreSQL');

const load = async (scenario: string, duration: number) =>
  runLoad(scenario, kit.pid, {
    connections: 10,
    ...(await requestsOf(kit, scenario)),
    duration,
    warmupSeconds: 0,
  });
// Warm-up (JIT, pools, caches), then the two measured runs; their windows are cut from the profile.
await load('hello', 2);
await load(SCENARIO, 2);
const windows: { scenario: string; from: number; to: number; requests: number }[] = [];
for (const scenario of ['hello', SCENARIO]) {
  const from = Date.now();
  const result = await load(scenario, SECONDS);
  windows.push({ scenario, from, to: Date.now(), requests: result.requests });
  console.log(result);
}
const stoppedAt = Date.now();
await kit.stop();
// The server's own profile is the largest (next start's launcher, if any, writes a small one).
const file = readdirSync(dir)
  .map((name) => join(dir, name))
  .sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (!file) throw new Error(`no profile in ${dir}`);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
console.log(`\n${file}`);
for (const { scenario, from, to, requests } of windows) {
  // The profile's clock is monotonic: its last sample is the server's stop, which this process timed.
  const offsetUs = profile.endTime - stoppedAt * 1000;
  const window = { fromUs: from * 1000 + offsetUs + 200_000, toUs: to * 1000 + offsetUs - 200_000 };
  const share = (window.toUs - window.fromUs) / ((to - from) * 1000);
  const { totalMs, frames, areas } = topFrames(profile, { ...window, requests: requests * share });
  console.log(`\n== ${scenario}: ${totalMs} ms of samples over ${requests} requests`);
  console.log('self time by area (µs per request)');
  for (const a of areas)
    console.log(
      `${(a.share * 100).toFixed(1).padStart(5)} % ${a.usPerRequest.toFixed(0).padStart(5)}  ${a.name}`,
    );
  console.log('top frames by self time (µs per request)');
  for (const f of frames)
    console.log(
      `${(f.share * 100).toFixed(1).padStart(5)} % ${f.usPerRequest.toFixed(0).padStart(5)}  ${f.name}`,
    );
}
