/**
 * What the server helpers cost per call, in process: the session lookup getCurrentUser() and
 * withAuth({ live: true }) make (one indexed read: sessions primary key joined to users), the
 * whole getCurrentUser() work (the lookup plus the template's claims, whose `roles` getter reads
 * the user's groups), and the session cookie's HS256 check, on PGlite and on PostgreSQL.
 *   tsx tests/bench/current-user.ts   (BENCH_BACKENDS=pglite,pg)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import authConfig from '@/auth.config';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthContext } from '@/auth/context';
import { CookieSigner } from '@/auth/cookies/signing';
import { loadSessionUser } from '@/auth/services/current-user';
import { grantRole } from '@/auth/services/roles';
import { signIn } from '@/auth/services/sign-in';
import { createUser } from '@/auth/services/users';
import { loadKeyring } from '@/auth/tokens/keys';
import { verifySessionToken } from '@/auth/tokens/verify';
import { findLiveSession } from '@/db/queries/current-user';
import { openTestDatabase, stopTestDatabaseServices, type Driver } from '../support/databases';
import { testSecrets } from '../support/keys';

/** Wall-clock and process CPU per call, in µs (PostgreSQL's own work is in wall time only). */
export interface PerCall {
  name: string;
  wallUs: number;
  cpuUs: number;
}

async function perCall(name: string, iterations: number, op: () => unknown): Promise<PerCall> {
  for (let i = 0; i < Math.min(300, iterations); i++) await op(); // JIT, prepared statements
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op();
  const wallUs = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  const used = process.cpuUsage(cpu);
  return {
    name,
    wallUs: Math.round(wallUs),
    cpuUs: Math.round((used.user + used.system) / iterations),
  };
}

/** Measures on one driver; null when PostgreSQL is unreachable. */
export async function measureCurrentUser(
  driver: Driver,
  iterations = 3000,
): Promise<PerCall[] | null> {
  const database = await openTestDatabase(driver);
  if (!database) return null;
  try {
    const { AUTH_SECRET, AUTH_SIGNING_KEYS, AUTH_APP_URL, SMTP_URL } = await testSecrets();
    const config = await resolveAuthConfig(authConfig, {
      nodeEnv: 'production',
      secret: AUTH_SECRET,
      signingKeys: AUTH_SIGNING_KEYS,
      appUrl: AUTH_APP_URL,
      smtpUrl: SMTP_URL,
      logLevel: 'silent',
      dataDir: mkdtempSync(join(tmpdir(), 'kit-bench-')),
    });
    const ctx: AuthContext = {
      config,
      keyring: await loadKeyring(config),
      signer: new CookieSigner(config.secret, config.cookieSalt),
      db: database.db,
    };
    await createUser(ctx.db, { username: 'bench', password: 'bench-password-1' });
    await grantRole(ctx.db, 'bench', 'editor');
    const issued = await signIn(
      ctx,
      { username: 'bench', password: 'bench-password-1' },
      { address: null, userAgent: 'bench' },
    );
    const cookie = verifySessionToken(ctx.keyring, issued.sessionToken);
    if (!cookie) throw new Error('the session cookie does not verify');
    const lookup = { sid: issued.sid, userId: issued.userId, now: new Date() };
    return [
      await perCall('session cookie check (HS256)', iterations, () =>
        verifySessionToken(ctx.keyring, issued.sessionToken),
      ),
      await perCall('session lookup (withAuth live)', iterations, async () => {
        if (!(await findLiveSession(ctx.db, lookup))) throw new Error('not live');
      }),
      await perCall('getCurrentUser() work (lookup + claims)', iterations, async () => {
        if (!(await loadSessionUser(ctx, cookie, new Date()))) throw new Error('signed out');
      }),
    ];
  } finally {
    await database.dispose();
    await stopTestDatabaseServices();
  }
}

if (process.argv[1]?.endsWith('current-user.ts')) {
  for (const driver of (process.env.BENCH_BACKENDS ?? 'pglite,pg').split(',') as Driver[]) {
    const rows = await measureCurrentUser(driver);
    console.log(`\n${driver}${rows ? '' : ': skipped (PostgreSQL unreachable)'}`);
    for (const row of rows ?? [])
      console.log(
        `${row.name.padEnd(42)} ${String(row.wallUs).padStart(6)} µs wall ${String(row.cpuUs).padStart(6)} µs CPU`,
      );
  }
}
