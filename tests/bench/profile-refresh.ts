/** Profiles the server under refresh load: `tsx tests/bench/profile-refresh.ts` writes a .cpuprofile under /tmp/kit-prof. */
import { startKit } from '../support/kit-servers';
import { prepareBenchApp } from './app';
import { runLoad } from './load';
import { refreshRequests, signInSessions } from './sessions';

const USER = { username: 'bench', password: 'bench-password-1' };
const appDir = prepareBenchApp();
const kit = await startKit((process.env.PROFILE_BACKEND as 'pg' | 'pglite') ?? 'pg', {
  appDir,
  env: { AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' },
  users: [USER],
  nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/kit-prof'],
});
if (!kit) throw new Error('no PostgreSQL');
const sessions = await signInSessions(kit.url, USER, 10);
console.log(
  await runLoad('refresh', kit.pid, {
    url: kit.url,
    duration: 8,
    connections: 10,
    requests: refreshRequests(sessions),
    warmupSeconds: 0,
  }),
);
await kit.stop();
