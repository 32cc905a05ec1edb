import { getAuthConfig } from './config';
import type { AuthConfig } from './config/types';
import { CookieSigner } from './cookies/signing';
import { loadKeyring, type Keyring } from './tokens/keys';
import { getDatabase } from '@/db';
import type { Database } from '@/db/client';

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

/** The core and the database handle. */
export async function getAuthContext(): Promise<AuthContext> {
  const [core, handle] = await Promise.all([getAuthCore(), getDatabase()]);
  return { ...core, db: handle.db };
}
