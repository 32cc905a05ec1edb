import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@/auth/services/users';
import { openDatabase } from '@/db/client';
import { startLocalIdp, type LocalIdp } from '@/dev/idp-local/server';
import type { LocalIdpUser } from '@/dev/idp-local/users';
import type { SeedUser } from '../support/kit-servers';
import { testSecrets } from '../support/keys';
import { freePort, startNextServer, type NextServer } from '../support/next-server';
import { copyMigratedPglite } from '../support/pglite-template';

/** The demo app under `next start`, addressed as http://localhost:<port> like a developer would. */
export interface E2eApp {
  /** http://localhost:<port> (Chromium treats localhost as secure, so Secure cookies are kept). */
  url: string;
  port: number;
  /** The local Cognito stand-in, when one was asked for. */
  idp: LocalIdp | null;
  server: NextServer;
  stop(): Promise<void>;
}

export interface E2eAppOptions {
  /** Extra environment; a function gets the app's URL first (AUTH_APP_URL for passkeys). */
  env?: Record<string, string> | ((url: string) => Record<string, string>);
  /** Password users created in the app's database before it starts. */
  users?: SeedUser[];
  /** Users of a local IdP to start in this process and wire to the app (the Cognito journey). */
  idpUsers?: LocalIdpUser[];
}

/**
 * Starts the production build on embedded PGlite with production-shaped secrets. The port is
 * chosen first so the local IdP can register http://localhost:<port>/callback before the app
 * (which needs the IdP's URL) starts.
 */
export async function startE2eApp({
  env = {},
  users = [],
  idpUsers,
}: E2eAppOptions = {}): Promise<E2eApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let idpPort = await freePort();
  while (idpPort === port) idpPort = await freePort();
  const idp = idpUsers
    ? await startLocalIdp({
        port: idpPort,
        redirectUris: [`${url}/callback`],
        logoutUris: [`${url}/`],
        users: idpUsers,
      })
    : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-e2e-'));
  try {
    if (users.length > 0) {
      // Seeded on a copy of the migrated template (no initdb, no migrations here); without users
      // the server creates the database itself, as on a developer's first start.
      await copyMigratedPglite(join(dataDir, 'pglite'));
      const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
      for (const user of users) await createUser(handle.db, user);
      await handle.close();
    }
    const idpEnv: Record<string, string> = idp
      ? {
          COGNITO_USER_POOL_ID: idp.userPoolId,
          COGNITO_CLIENT_ID: idp.clientId,
          COGNITO_REGION: idp.region,
          COGNITO_AUTHORITY: idp.url,
          COGNITO_DOMAIN: idp.url,
          AUTH_IDP_JWKS_URL: idp.jwksUrl,
        }
      : {};
    const server = await startNextServer(
      {
        ...(await testSecrets()),
        AUTH_LOG_LEVEL: 'info',
        ...idpEnv,
        ...(typeof env === 'function' ? env(url) : env),
      },
      { port, dataDir },
    );
    return {
      url,
      port,
      idp,
      server,
      async stop() {
        await server.stop();
        await idp?.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
