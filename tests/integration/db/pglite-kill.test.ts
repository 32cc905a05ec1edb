import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { createUser } from '@/auth/services/users';
import { HttpClient } from '../../support/http-client';
import { testSecrets } from '../../support/keys';
import { freePort, startNextServer } from '../../support/next-server';
import { copyMigratedPglite } from '../../support/pglite-template';
import { cloneClient, refresh, signIn, type TokenBody } from '../../support/requests';

const PASSWORD = 'correct-horse-battery';
const ROUNDS = 6;

let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kit-kill-'));
  env = { ...(await testSecrets()), AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' };
  await copyMigratedPglite(join(dataDir, 'pglite'));
  const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
  await createUser(handle.db, { username: 'survivor', password: PASSWORD });
  await handle.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A session signed in before a kill: the client holding its cookies, and its CSRF token. */
interface Session {
  client: HttpClient;
  csrf: string;
}

/**
 * Starts `next start` in its own process group on the data directory, signs in over and over as
 * soon as it answers, and SIGKILLs the whole group `killAfterMs` after the start.
 * @returns the sessions whose sign-in was answered before the kill.
 */
async function startAndKill(killAfterMs: number): Promise<Session[]> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: process.cwd(),
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        AUTH_DATA_DIR: dataDir,
        ...env,
      },
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, killAfterMs);
  const sessions: Session[] = [];
  while (!killed) {
    const client = new HttpClient(`http://127.0.0.1:${port}`);
    try {
      const response = await client.post('/auth/sign-in/', {
        username: 'survivor',
        password: PASSWORD,
      });
      if (response.status === 200)
        sessions.push({ client, csrf: ((await response.json()) as TokenBody).CSRF_token });
      else await response.arrayBuffer();
    } catch {
      await new Promise((r) => setTimeout(r, 25)); // not listening yet, or killed mid-answer
    }
  }
  await exited;
  clearTimeout(timer);
  return sessions;
}

describe('next start on PGlite, SIGKILLed at random moments of opening and first use', () => {
  it(`opens again after ${ROUNDS} kills, with every session answered before a kill intact`, async () => {
    // How long a start takes here, so that the kills spread over opening and first use.
    const started = Date.now();
    const first = await startNextServer(env, { dataDir });
    const readyMs = Date.now() - started;
    await first.stop();
    const sessions: Session[] = [];
    const kills: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = Math.round(readyMs * (0.2 + Math.random() * 1.2));
      kills.push(killAfter);
      sessions.push(...(await startAndKill(killAfter)));
    }
    console.log(
      `[pglite-kill] ready in ${readyMs} ms; kills after ${kills.join(', ')} ms; ${sessions.length} sessions answered before a kill`,
    );
    const server = await startNextServer(env, { dataDir });
    try {
      await signIn(new HttpClient(server.url), 'survivor', PASSWORD);
      const statuses = await Promise.all(
        sessions.map(async ({ client, csrf }) => {
          const response = await refresh(cloneClient(client, { baseUrl: server.url }), csrf);
          await response.arrayBuffer();
          return response.status;
        }),
      );
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 600_000);

  it('a second next start on the same directory is refused, naming the holder and the lock file', async () => {
    const holder = await startNextServer(env, { dataDir });
    try {
      const error = (await startNextServer(env, { dataDir }).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/next start exited with 1/);
      expect(error.message).toContain(`is in use by process`);
      expect(error.message).toContain(`its lock file is ${join(dataDir, 'pglite')}.lock`);
      // The holder is untouched and still answers.
      await signIn(new HttpClient(holder.url), 'survivor', PASSWORD);
    } finally {
      await holder.stop();
    }
  }, 180_000);
});
