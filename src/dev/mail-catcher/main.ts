import { runStandIn, stopOnSignals } from '../stand-in';
import { startMailCatcher } from './server';

/** Reads a port number from the environment, falling back when it is unset or blank. */
function port(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new Error(`${name} must be a port number, got "${process.env[name]}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const env = process.env;
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'The mail catcher is a development stand-in for a mail server and refuses to run with NODE_ENV=production: set SMTP_URL to a real provider.',
    );
  }
  const catcher = await startMailCatcher({
    smtpPort: port('MAIL_CATCHER_PORT', 2525),
    httpPort: port('MAIL_CATCHER_HTTP_PORT', 2526),
  });
  console.log(`Local mail catcher: SMTP on ${catcher.smtpUrl}, inbox at ${catcher.inboxUrl}
Nothing sent to it leaves this machine; each message's links are printed here.

Environment for the app (npm run dev sets it itself; copy it only for an app started otherwise):
SMTP_URL=${catcher.smtpUrl}
`);
  stopOnSignals('mail catcher', () => catcher.close());
}

runStandIn('mail-catcher', main, '; set MAIL_CATCHER_PORT / MAIL_CATCHER_HTTP_PORT to others');
