/**
 * Profiles the server under refresh load: `tsx tests/bench/profile-refresh.ts` writes the
 * server's .cpuprofile under /tmp/kit-prof/<time>/ and prints its top frames (profile-top.ts).
 * PROFILE_BACKEND=pg|pglite (pg), PROFILE_SECONDS (8).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startKit } from '../support/kit-servers';
import { prepareBenchApp } from './app';
import { runLoad } from './load';
import { topFrames } from './profile-top';
import { refreshRequests, signInSessions } from './sessions';

const USER = { username: 'bench', password: 'bench-password-1' };
const dir = `/tmp/kit-prof/${Date.now()}`;
const appDir = prepareBenchApp();
const kit = await startKit((process.env.PROFILE_BACKEND as 'pg' | 'pglite') ?? 'pg', {
  appDir,
  env: { AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' },
  users: [USER],
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
if (!kit) throw new Error('no PostgreSQL');
const sessions = await signInSessions(kit.url, USER, 10);
console.log(
  await runLoad('refresh', kit.pid, {
    url: kit.url,
    duration: Number(process.env.PROFILE_SECONDS ?? 8),
    connections: 10,
    requests: refreshRequests(sessions),
    warmupSeconds: 2,
  }),
);
await kit.stop();
// The server's own profile is the largest (next start's launcher, if any, writes a small one).
const file = readdirSync(dir)
  .map((name) => join(dir, name))
  .sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (!file) throw new Error(`no profile in ${dir}`);
const { totalMs, frames, areas } = topFrames(JSON.parse(readFileSync(file, 'utf8')));
console.log(
  `\n${file}: ${totalMs} ms of samples (sign-in and warm-up included)\n\nself time by area`,
);
for (const a of areas) console.log(`${(a.share * 100).toFixed(1).padStart(5)} %  ${a.name}`);
console.log('\ntop frames by self time');
for (const f of frames) console.log(`${(f.share * 100).toFixed(1).padStart(5)} %  ${f.name}`);
