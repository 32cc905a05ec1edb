import { getAuthConfig } from './config';
import type { AuthConfig } from './config/types';
import { CookieSigner } from './cookies/signing';
import { loadKeyring, type Keyring } from './tokens/keys';
import { getDatabase, type DatabaseHandle } from '@/db';
import type { Database } from '@/db/types';

/** What every service needs: the configuration, the keys, the cookie signer. */
export interface AuthCore {
  config: AuthConfig;
  keyring: Keyring;
  signer: CookieSigner;
}

/** The core plus the database. */
export interface AuthContext extends AuthCore {
  db: Database;
}

const cache = globalThis as unknown as { __authKitCore?: Promise<AuthCore> };

/** The configuration and keys, built once per process (no database: the proxy uses this). */
export function getAuthCore(): Promise<AuthCore> {
  cache.__authKitCore ??= (async () => {
    const config = await getAuthConfig();
    return {
      config,
      keyring: await loadKeyring(config),
      signer: new CookieSigner(config.secret, config.cookieSalt),
    };
  })().catch((error: unknown) => {
    delete cache.__authKitCore;
    throw error;
  });
  return cache.__authKitCore;
}

/** The process's database handle, opened with the configured settings (DATABASE_URL...). */
export async function getAuthDatabase(): Promise<DatabaseHandle> {
  return getDatabase((await getAuthConfig()).database);
}

/** The core and the database handle. */
export async function getAuthContext(): Promise<AuthContext> {
  const [core, handle] = await Promise.all([getAuthCore(), getAuthDatabase()]);
  return { ...core, db: handle.db };
}
