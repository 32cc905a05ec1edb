// `npm run dev`: the Next.js dev server on the embedded database, with nothing to configure.
// When no Cognito user pool (or generic OIDC provider) is configured, it also starts the local stand-in IdP (src/dev/idp-local)
// and points the app at it, so the whole Cognito PKCE journey works offline. When no SMTP_URL is
// set, it starts the local mail catcher (src/dev/mail-catcher) and points the app's mail at it, so
// sign-up, verification and password reset work offline too. Production never runs this script:
// `next start` has no way to start either stand-in.
import { spawn } from 'node:child_process';
import nextEnv from '@next/env';

nextEnv.loadEnvConfig(process.cwd(), true);
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

/** The port given as `npm run dev -- -p 3001` (or --port), which next dev would take anyway. */
function portFromArgs(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-p' || args[i] === '--port') return args[i + 1];
    if (args[i].startsWith('--port=')) return args[i].slice('--port='.length);
  }
  return undefined;
}

const appPort = portFromArgs(process.argv.slice(2)) ?? process.env.PORT ?? '3000';
const env = { ...process.env };
const children = [];

function run(label, args, childEnv) {
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: childEnv });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGTERM')
      console.error(`[dev] ${label} stopped (${signal ?? code}); stopping the others`);
    for (const other of children)
      if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
}

const idpPort = env.LOCAL_IDP_PORT ?? '4000';

/** True when the app is pointed at the stand-in itself (its printed environment copied to .env.local). */
function pointsAtStandIn(authority) {
  try {
    const url = new URL(authority);
    return ['localhost', '127.0.0.1'].includes(url.hostname) && url.port === idpPort;
  } catch {
    return false;
  }
}

// A generic OIDC provider (AUTH_IDP_*) counts as configured too: the stand-in would override it.
const idpConfigured =
  (env.COGNITO_USER_POOL_ID ||
    env.COGNITO_CLIENT_ID ||
    env.AUTH_IDP_PROVIDER === 'oidc' ||
    env.AUTH_IDP_CLIENT_ID) &&
  !pointsAtStandIn(env.COGNITO_AUTHORITY);
if (!idpConfigured) {
  const idpUrl = `http://localhost:${idpPort}`;
  // Values already set (the stand-in's own printed block) are kept; the rest point at it.
  const defaults = {
    COGNITO_REGION: 'us-east-1',
    COGNITO_USER_POOL_ID: 'us-east-1_LocalDemo',
    COGNITO_CLIENT_ID: 'local-demo-client',
    COGNITO_AUTHORITY: idpUrl,
    COGNITO_DOMAIN: idpUrl,
    AUTH_IDP_JWKS_URL: `${idpUrl}/.well-known/jwks.json`,
  };
  for (const [name, value] of Object.entries(defaults)) env[name] ||= value;
  console.log(
    `[dev] No Cognito user pool configured (or it is the stand-in): starting the local stand-in IdP on ${idpUrl}`,
  );
  run('local IdP', ['node_modules/tsx/dist/cli.mjs', 'src/dev/idp-local/main.ts'], {
    ...env,
    LOCAL_IDP_PORT: idpPort,
    LOCAL_IDP_REDIRECT_URIS:
      env.LOCAL_IDP_REDIRECT_URIS ??
      `http://localhost:${appPort}/callback,http://127.0.0.1:${appPort}/callback`,
    LOCAL_IDP_LOGOUT_URIS:
      env.LOCAL_IDP_LOGOUT_URIS ?? `http://localhost:${appPort}/,http://127.0.0.1:${appPort}/`,
  });
}

const mailPort = env.MAIL_CATCHER_PORT ?? '2525';
const mailHttpPort = env.MAIL_CATCHER_HTTP_PORT ?? '2526';

/** True when SMTP_URL names the catcher itself (its printed environment copied to .env.local). */
function pointsAtCatcher(smtpUrl) {
  try {
    const url = new URL(smtpUrl);
    return ['localhost', '127.0.0.1'].includes(url.hostname) && url.port === mailPort;
  } catch {
    return false;
  }
}

if (!env.SMTP_URL || pointsAtCatcher(env.SMTP_URL)) {
  env.SMTP_URL = `smtp://127.0.0.1:${mailPort}`;
  console.log(
    `[dev] No SMTP_URL configured: starting the local mail catcher on ${env.SMTP_URL}; inbox at http://127.0.0.1:${mailHttpPort}/ (links are printed here too)`,
  );
  run('mail catcher', ['node_modules/tsx/dist/cli.mjs', 'src/dev/mail-catcher/main.ts'], {
    ...env,
    MAIL_CATCHER_PORT: mailPort,
    MAIL_CATCHER_HTTP_PORT: mailHttpPort,
  });
}
// Links in mail are built only from AUTH_APP_URL: point them at this dev server, on its real port.
env.AUTH_APP_URL ||= `http://localhost:${appPort}`;

run(
  'next dev',
  ['node_modules/next/dist/bin/next', 'dev', ...process.argv.slice(2), '-p', appPort],
  env,
);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => children.forEach((c) => c.exitCode === null && c.kill(signal)));
