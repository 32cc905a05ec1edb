import { resolve } from 'node:path';
import { loadOrCreateSigningKey } from './keys';
import { runStandIn, stopOnSignals } from '../stand-in';
import { startLocalIdp } from './server';
import { DEMO_USER, parseLocalIdpUsers } from './users';

/** Splits a comma-separated env var, falling back when it is unset or blank. */
function list(value: string | undefined, fallback: string[]): string[] {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : fallback;
}

async function main(): Promise<void> {
  const env = process.env;
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'The local IdP is a development stand-in for Amazon Cognito and refuses to run with NODE_ENV=production.',
    );
  }
  const port = Number(env.LOCAL_IDP_PORT ?? '4000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`LOCAL_IDP_PORT must be a port number, got "${env.LOCAL_IDP_PORT}"`);
  }
  const users = parseLocalIdpUsers(env.LOCAL_IDP_USERS);
  const keyFile = resolve(env.LOCAL_IDP_KEY_FILE ?? '.data/idp-local/keys.json');
  const idp = await startLocalIdp({
    port,
    host: env.LOCAL_IDP_HOST || '127.0.0.1',
    // Browsers and the app usually say "localhost"; the issuer stays Cognito-shaped either way.
    publicUrl: env.LOCAL_IDP_PUBLIC_URL || (port ? `http://localhost:${port}` : undefined),
    region: env.COGNITO_REGION || undefined,
    userPoolId: env.COGNITO_USER_POOL_ID || undefined,
    clientId: env.COGNITO_CLIENT_ID || undefined,
    redirectUris: list(env.LOCAL_IDP_REDIRECT_URIS, [
      'http://localhost:3000/callback',
      'http://127.0.0.1:3000/callback',
    ]),
    logoutUris: list(env.LOCAL_IDP_LOGOUT_URIS, [
      'http://localhost:3000/',
      'http://127.0.0.1:3000/',
    ]),
    users,
    signingKey: await loadOrCreateSigningKey(keyFile),
  });
  const usesDemo = env.LOCAL_IDP_USERS === undefined || env.LOCAL_IDP_USERS.trim() === '';
  console.log(`Local Cognito stand-in listening on ${idp.url}
Issuer: ${idp.issuer}
Signing key: ${keyFile}

Environment for the app (npm run dev sets it itself; copy it only for an app started otherwise):
COGNITO_AUTHORITY=${idp.url}
AUTH_IDP_JWKS_URL=${idp.jwksUrl}
COGNITO_REGION=${idp.region}
COGNITO_USER_POOL_ID=${idp.userPoolId}
COGNITO_CLIENT_ID=${idp.clientId}
`);
  console.log(
    usesDemo
      ? `Demo user: username "${DEMO_USER.username}", password "${DEMO_USER.password}" (${DEMO_USER.email})`
      : `Users from LOCAL_IDP_USERS: ${users.map((u) => u.username).join(', ')}`,
  );
  stopOnSignals('local IdP', () => idp.close());
}

runStandIn('idp-local', main);
