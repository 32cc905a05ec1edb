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
import type { User } from '@/db/schema';
import type { ClientInfo } from '@/auth/handlers/client';
import { testSecrets } from './keys';
import { openMigratedMemoryPglite } from './pglite-template';

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
 * A kit for the in-process flow suites: the configuration resolved in code (production rules,
 * with the given options and environment), a fresh embedded PGlite in memory (loaded migrated
 * from pglite-template.ts: no initdb, no migrations per kit), and keys generated once per process. The services take `now`, so time rules run at a frozen clock.
 */
export async function startTestKit(
  options: AuthOptions = {},
  env: Partial<AuthEnv> = {},
): Promise<TestKit> {
  secrets ??= testSecrets();
  const { AUTH_SECRET, AUTH_SIGNING_KEYS } = await secrets;
  const events: AuthEvent[] = [];
  // Development-only files (generated secrets) would land here; production config writes none.
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-flows-'));
  const config = await resolveAuthConfig(
    { ...options, onEvent: (event) => void events.push(event) },
    {
      nodeEnv: 'production',
      secret: AUTH_SECRET,
      signingKeys: AUTH_SIGNING_KEYS,
      logLevel: 'silent',
      dataDir,
      ...env,
    },
  );
  const handle = await openMigratedMemoryPglite();
  const ctx: AuthContext = {
    config,
    keyring: await loadKeyring(config),
    signer: new CookieSigner(config.secret, config.cookieSalt),
    db: handle.db,
  };
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
