import { log } from '@/log';
import type { AuthConfig } from '../config/types';
import { NotFound } from '../errors';
import { relyingParty, type RelyingParty } from './webauthn';

type RelyingPartyConfig = Pick<AuthConfig, 'appUrl' | 'logLevel'>;

// One answer per app URL: the check and the warning happen once, not per request.
const known = new Map<string, RelyingParty | null>();

/**
 * The relying party passkeys belong to: AUTH_APP_URL's host (in development the dev origin,
 * `http://localhost:PORT`), or null when there is none WebAuthn can use: no AUTH_APP_URL (a
 * production server without one), an IP address, or plain http off localhost. That is said once,
 * in the log, and the passkey endpoints answer 404.
 */
export function passkeyRelyingParty(config: RelyingPartyConfig): RelyingParty | null {
  if (!config.appUrl) return null;
  if (!known.has(config.appUrl)) {
    try {
      known.set(config.appUrl, relyingParty(config.appUrl));
    } catch (error) {
      known.set(config.appUrl, null);
      log(config, 'warn', 'passkeys are off', { reason: (error as Error).message });
    }
  }
  return known.get(config.appUrl) ?? null;
}

/** Whether this server offers passkeys (the endpoints' `enabled` switch). */
export function passkeysAvailable(config: RelyingPartyConfig): boolean {
  return passkeyRelyingParty(config) !== null;
}

/**
 * The relying party, for a service that needs one.
 * @throws NotFound when this server offers no passkeys.
 */
export function requireRelyingParty(config: RelyingPartyConfig): RelyingParty {
  const rp = passkeyRelyingParty(config);
  if (!rp) throw new NotFound('Passkeys are not available on this server.');
  return rp;
}
