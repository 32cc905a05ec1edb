import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthEnv } from '@/auth/config/env';
import type { AuthOptions } from '@/auth/config/types';
import type { AuthEvent } from '@/auth/events';
import type { AuthContext } from '@/auth/context';
import { CookieSigner } from '@/auth/cookies/signing';
import { createUser } from '@/auth/services/users';
import { loadKeyring } from '@/auth/tokens/keys';
import type { Database } from '@/db/client';
import type { User } from '@/db/schema';
import type { ClientInfo } from '@/auth/client-info';
import { testSecrets } from './keys';
import { openMigratedPglite } from './pglite-template';

/** The flows' kit: services called in process, no build, no HTTP. */
export interface TestKit {
  ctx: AuthContext;
  /** Every auth event emitted, in order. */
  events: AuthEvent[];
  client: ClientInfo;
  /** Creates a password user on this kit's database. */
  user(username: string, password?: string): Promise<User>;
  close(): Promise<void>;
}

let secrets: ReturnType<typeof testSecrets> | undefined;

/**
 * The services' context on `db`: the configuration resolved in code (production rules unless
 * `env` says otherwise, with the given options and environment), keys generated once per
 * process, and every auth event collected into `events`. `env.dataDir` is where development-only
 * files (generated secrets) would land; these configurations write none there.
 */
export async function testContext(
  db: Database,
  options: AuthOptions,
  env: Partial<AuthEnv> & { dataDir: string },
): Promise<{ ctx: AuthContext; events: AuthEvent[] }> {
  secrets ??= testSecrets();
  const { AUTH_SECRET, AUTH_SIGNING_KEYS, AUTH_APP_URL, SMTP_URL } = await secrets;
  const events: AuthEvent[] = [];
  const config = await resolveAuthConfig(
    { ...options, onEvent: (event) => void events.push(event) },
    {
      nodeEnv: 'production',
      secret: AUTH_SECRET,
      signingKeys: AUTH_SIGNING_KEYS,
      appUrl: AUTH_APP_URL,
      smtpUrl: SMTP_URL,
      logLevel: 'silent',
      ...env,
    },
  );
  const ctx: AuthContext = {
    config,
    keyring: await loadKeyring(config),
    signer: new CookieSigner(config.secret, config.cookieSalt),
    db,
  };
  return { ctx, events };
}

/**
 * A kit for the in-process flow suites: {@link testContext} on a fresh embedded PGlite, in its
 * worker thread as in the server (a copy of pglite-template.ts's migrated database: no initdb, no
 * migrations per kit). The services take
 * `now`, so time rules run at a frozen clock.
 */
export async function startTestKit(
  options: AuthOptions = {},
  env: Partial<AuthEnv> = {},
): Promise<TestKit> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-flows-'));
  const handle = await openMigratedPglite(mkdtempSync(join(tmpdir(), 'kit-flows-db-')));
  const { ctx, events } = await testContext(handle.db, options, { dataDir, ...env });
  return {
    ctx,
    events,
    client: { address: '203.0.113.7', userAgent: 'flows' },
    user: (username, password = `${username}-password-1`) =>
      createUser(handle.db, { username, password }),
    close: async () => {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `base` moved by `seconds`: the frozen clock's next reading. */
export function later(base: Date, seconds: number): Date {
  return new Date(base.getTime() + seconds * 1000);
}
