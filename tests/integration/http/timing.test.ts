import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deactivateUser } from '@/auth/services/users';
import type { Database } from '@/db/client';
import { users } from '@/db/schema';
import { HttpClient } from '../../support/http-client';
import { type KitServer } from '../../support/kit-servers';
import { PATHS, startWarmKit } from '../../support/requests';

const PASSWORD = 'correct-horse-battery';
// docs/contract.md section 6: failure medians within 10 % of each other. 50 interleaved rounds keep
// the file near a minute and a half with the slowest hash (pbkdf2 at 870,000 iterations).
const ROUNDS = Number(process.env.TIMING_ROUNDS ?? 50);
const WARM_UP_ROUNDS = 2;

const salt = () => randomBytes(12).toString('hex');
const base64 = (bytes: Buffer) => bytes.toString('base64');

/** What Django 5.1's PBKDF2PasswordHasher stores. */
function djangoPbkdf2(password: string): string {
  const s = salt();
  return `pbkdf2_sha256$870000$${s}$${base64(pbkdf2Sync(password, s, 870_000, 32, 'sha256'))}`;
}

/** What Django's ScryptPasswordHasher stores (N=2^14, r=8, p=5, 64 bytes). */
function djangoScrypt(password: string): string {
  const s = salt();
  const key = scryptSync(password, s, 64, { N: 16_384, r: 8, p: 5, maxmem: 64 * 1024 * 1024 });
  return `scrypt$16384$${s}$8$5$${base64(key)}`;
}

/** What Django's Argon2PasswordHasher stores with its defaults (m=102400, t=2, p=8). */
async function djangoArgon2(password: string): Promise<string> {
  const phc = await hash(password, {
    algorithm: 2,
    version: 1,
    memoryCost: 102_400,
    timeCost: 2,
    parallelism: 8,
    outputLen: 32,
  });
  return `argon2${phc}`;
}

async function setHash(db: Database, username: string, password: string): Promise<void> {
  await db.update(users).set({ password }).where(eq(users.username, username));
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const PROBES = {
  'unknown user': { username: 'timing-nobody', password: 'wrong-password' },
  'wrong password (argon2id)': { username: 'timing-argon2id', password: 'wrong-password' },
  'inactive user': { username: 'timing-inactive', password: PASSWORD },
  'pbkdf2_sha256 870000': { username: 'timing-pbkdf2', password: 'wrong-password' },
  'scrypt (Django)': { username: 'timing-scrypt', password: 'wrong-password' },
  'argon2 (Django default)': { username: 'timing-django-argon2', password: 'wrong-password' },
} as const;
type Probe = keyof typeof PROBES;

describe('failed sign-in timing over next start on pglite', () => {
  let kit: KitServer | null = null;
  beforeAll(async () => {
    kit = await startWarmKit('pglite', {
      env: { AUTH_THROTTLE: 'off', AUTH_LOG_LEVEL: 'warn' },
      users: [
        'timing-argon2id',
        'timing-inactive',
        'timing-pbkdf2',
        'timing-scrypt',
        'timing-django-argon2',
      ].map((username) => ({ username, password: PASSWORD })),
      prepare: async (db) => {
        await deactivateUser(db, 'timing-inactive');
        await setHash(db, 'timing-pbkdf2', djangoPbkdf2(PASSWORD));
        await setHash(db, 'timing-scrypt', djangoScrypt(PASSWORD));
        await setHash(db, 'timing-django-argon2', await djangoArgon2(PASSWORD));
      },
    });
  });
  afterAll(async () => kit?.stop());

  it(
    'answers unknown user, wrong password, inactive user and imported Django hashes in the same time (medians within 10 %)',
    {
      timeout: 600_000,
    },
    async () => {
      const client = new HttpClient(kit!.url);
      const names = Object.keys(PROBES) as Probe[];
      const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
        Probe,
        number[]
      >;
      for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
        // Interleaved, in a rotating order: a change of machine load affects every probe alike.
        for (let i = 0; i < names.length; i++) {
          const name = names[(round + i) % names.length]!;
          const start = performance.now();
          const response = await client.post(PATHS.signIn, PROBES[name]);
          await response.arrayBuffer();
          const elapsed = performance.now() - start;
          expect(response.status).toBe(401);
          if (round >= WARM_UP_ROUNDS) times[name].push(elapsed);
        }
      }
      const medians = Object.fromEntries(names.map((name) => [name, median(times[name])]));
      console.log(
        `[timing] medians over ${ROUNDS} failed sign-ins each (ms):\n` +
          names.map((name) => `  ${name.padEnd(26)} ${medians[name]!.toFixed(1)}`).join('\n'),
      );
      const values = Object.values(medians);
      expect(Math.max(...values) / Math.min(...values)).toBeLessThanOrEqual(1.1);
    },
  );
});
