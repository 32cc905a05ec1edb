import { isIP } from 'node:net';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type CredentialDeviceType,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * Passkeys (WebAuthn) through @simplewebauthn/server, which does the ceremony's cryptography and
 * checks (client data, origin, RP id hash, flags, attestation format, signature). This module
 * fixes the kit's policy in one place: discoverable credentials (no username typed), user
 * verification always required (so a passkey alone is a multi-factor sign-in), no attestation
 * (the kit trusts any authenticator the user chooses), and the signature counter rule. It keeps
 * no state: the caller stores each challenge server-side, single use, for CHALLENGE_TTL_SECONDS.
 */

/** How long a challenge is valid, and how long the browser lets the ceremony run. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;

/** Who the credentials belong to: one site (rpID), shown as rpName, used from one origin. */
export interface RelyingParty {
  /** The hostname of AUTH_APP_URL: credentials are bound to it and work on it and subdomains. */
  rpID: string;
  rpName: string;
  /** The exact origin the browser reports in a ceremony (scheme, host and port). */
  origin: string;
}

/** A credential as the kit stores it (the `passkeys` table). */
export interface StoredCredential {
  /** The credential id, base64url. */
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports?: string[] | null;
}

/**
 * The relying party for the app at `appUrl` (AUTH_APP_URL, or the dev origin). Throws a clear error
 * for a URL WebAuthn cannot use, so a misconfiguration shows at start-up, not as a browser error:
 * an IP address (WebAuthn needs a domain as the RP id; use `localhost` in development), or plain
 * http anywhere but localhost (browsers offer WebAuthn only in a secure context).
 */
export function relyingParty(appUrl: string, rpName?: string): RelyingParty {
  let url: URL;
  try {
    url = new URL(appUrl);
  } catch {
    throw new Error(
      `Passkeys need AUTH_APP_URL to be an absolute URL, got ${JSON.stringify(appUrl)}`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0)
    throw new Error(
      `Passkeys cannot use ${url.origin}: WebAuthn refuses an IP address as the relying party; use a domain name (http://localhost:${url.port || 'PORT'} in development)`,
    );
  const localhost = host === 'localhost' || host.endsWith('.localhost');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && localhost))
    throw new Error(
      `Passkeys need an https:// AUTH_APP_URL (plain http works only on localhost), got ${url.origin}`,
    );
  return { rpID: host, rpName: rpName ?? host, origin: url.origin };
}

/**
 * The WebAuthn user handle of a user: the user id as text. Stable, so an authenticator replaces
 * its passkey for the user instead of keeping two; it names no one (no username or address), which
 * is what the specification asks of it, since authenticators may show or sync it.
 */
export function userHandle(userId: number): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(String(userId));
}

/** Options for `navigator.credentials.create()` (via @simplewebauthn/browser's startRegistration). */
export function registrationOptions({
  rp,
  user,
  existing,
}: {
  rp: RelyingParty;
  user: { id: number; username: string; displayName: string };
  /** The user's passkeys: the browser refuses to register one of them again. */
  existing: readonly { id: string; transports?: string[] | null }[];
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userID: userHandle(user.id),
    userName: user.username,
    userDisplayName: user.displayName,
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map(({ id, transports }) => ({
      id,
      transports: transports ?? undefined,
    })),
    // A discoverable credential (the authenticator stores the user, so sign-in needs no username)
    // that verifies the user (PIN, biometrics) every time.
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

export type RegistrationResult =
  | {
      ok: true;
      credential: {
        id: string;
        publicKey: Uint8Array;
        counter: number;
        /** As the browser reported them (`internal`, `hybrid`, `usb`, ...), for excludeCredentials. */
        transports: string[];
        /** Whether the passkey is synced (multi-device) and currently backed up. */
        deviceType: CredentialDeviceType;
        backedUp: boolean;
        /** The authenticator model (all zeros when it does not say). */
        aaguid: string;
      };
    }
  | { ok: false; reason: string };

/**
 * The transports WebAuthn Level 3 names (AuthenticatorTransportFuture); a registration response
 * may carry anything, and what it carries is stored (a `text[]`), so only these are kept.
 */
const TRANSPORTS: ReadonlySet<string> = new Set([
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
]);

/** The known transports of a registration response, each once, in its order; unknown ones dropped. */
export function knownTransports(transports: unknown): string[] {
  if (!Array.isArray(transports)) return [];
  return [...new Set(transports.filter((t): t is string => TRANSPORTS.has(t as string)))];
}

/**
 * Checks the browser's answer to `registrationOptions`. `response` is the request body as
 * received (anything); a response that does not verify is `{ ok: false, reason }` (the reason is
 * for the log, not for the client), never an exception.
 */
export async function verifyRegistration({
  response,
  expectedChallenge,
  rp,
}: {
  response: unknown;
  expectedChallenge: string;
  rp: RelyingParty;
}): Promise<RegistrationResult> {
  try {
    const result = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserPresence: true,
      requireUserVerification: true,
    });
    if (!result.verified) return { ok: false, reason: 'registration not verified' };
    const { credential, credentialDeviceType, credentialBackedUp, aaguid } =
      result.registrationInfo;
    const transports = (response as RegistrationResponseJSON).response.transports;
    return {
      ok: true,
      credential: {
        id: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: knownTransports(transports),
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        aaguid,
      },
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'malformed response' };
  }
}

/**
 * Options for `navigator.credentials.get()`: no `allowCredentials`, so the browser offers every
 * passkey it holds for the site (discoverable credentials, and conditional UI / autofill). Pass
 * `allow` to restrict them to one user's passkeys (re-authentication).
 */
export function authenticationOptions(
  rp: RelyingParty,
  allow?: readonly { id: string; transports?: string[] | null }[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    userVerification: 'required',
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    allowCredentials: allow?.map(({ id, transports }) => ({
      id,
      transports: transports ?? undefined,
    })),
  });
}

/**
 * A credential id as browsers report it: base64url, at most 1023 bytes (WebAuthn's limit) once
 * decoded. Anything else is refused before it reaches a database query.
 */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1364}$/;

/** The challenge a ceremony response's client data carries, or null when it has none. */
function clientDataChallenge(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 65_536) return null;
  try {
    const clientData: unknown = JSON.parse(
      Buffer.from(clientDataJSON, 'base64url').toString('utf8'),
    );
    const challenge = (clientData as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{16,512}$/.test(challenge)
      ? challenge
      : null;
  } catch {
    return null;
  }
}

/** What a registration response says about itself before any check: to find its challenge. */
export function describeRegistrationResponse(
  response: unknown,
): { credentialId: string; challenge: string } | null {
  const { id, response: attestation } = (response ?? {}) as Partial<RegistrationResponseJSON>;
  const challenge = clientDataChallenge(attestation?.clientDataJSON);
  if (typeof id !== 'string' || !CREDENTIAL_ID.test(id) || challenge === null) return null;
  return { credentialId: id, challenge };
}

/** What a sign-in response says about itself before any check: to find its challenge and key. */
export function describeAuthenticationResponse(
  response: unknown,
): { credentialId: string; challenge: string; userHandle: string | null } | null {
  const { id, response: assertion } = (response ?? {}) as Partial<AuthenticationResponseJSON>;
  const challenge = clientDataChallenge(assertion?.clientDataJSON);
  if (typeof id !== 'string' || !CREDENTIAL_ID.test(id) || challenge === null) return null;
  const handle = assertion?.userHandle;
  return { credentialId: id, challenge, userHandle: typeof handle === 'string' ? handle : null };
}

export type AuthenticationResult =
  | {
      ok: true;
      /** Store it: the next sign-in must report a higher one (if the authenticator counts). */
      newCounter: number;
      userVerified: boolean;
      backedUp: boolean;
      deviceType: CredentialDeviceType;
    }
  | {
      ok: false;
      /**
       * `counter`: the signature verified but the counter did not increase, which can mean a cloned
       * authenticator (worth an event); `invalid`: anything else.
       */
      reason: 'counter' | 'invalid';
      detail: string;
    };

/**
 * Checks a passkey sign-in against the stored credential `response.id` names. The signature
 * counter rule: when the authenticator keeps a counter (it or the stored one is non-zero), it must
 * be higher than the stored one; synced passkeys usually report 0 every time, which is allowed.
 * With `userId`, a user handle in the response must be that user's (the credential's owner).
 * Never throws.
 */
export async function verifyAuthentication({
  response,
  expectedChallenge,
  rp,
  credential,
  userId,
}: {
  response: unknown;
  expectedChallenge: string;
  rp: RelyingParty;
  credential: StoredCredential;
  userId?: number;
}): Promise<AuthenticationResult> {
  const invalid = (detail: string): AuthenticationResult => ({
    ok: false,
    reason: 'invalid',
    detail,
  });
  try {
    const body = response as AuthenticationResponseJSON;
    if (body?.id !== credential.id) return invalid('the response is for another credential');
    const handle = body.response?.userHandle;
    if (
      userId !== undefined &&
      handle &&
      handle !== Buffer.from(userHandle(userId)).toString('base64url')
    )
      return invalid("the user handle is not the credential owner's");
    const result = await verifyAuthenticationResponse({
      response: body,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      // The library's own counter check runs before the signature is verified; giving it 0 turns
      // it off so the kit applies the rule below, after the signature, and can tell a counter
      // problem (possibly a cloned authenticator) from a forged response.
      credential: {
        id: credential.id,
        publicKey: credential.publicKey as Uint8Array<ArrayBuffer>,
        counter: 0,
        transports: credential.transports ?? undefined,
      },
      requireUserVerification: true,
    });
    if (!result.verified) return invalid('the signature does not verify');
    const { newCounter, userVerified, credentialBackedUp, credentialDeviceType } =
      result.authenticationInfo;
    if (!userVerified) return invalid('the user was not verified');
    if ((newCounter > 0 || credential.counter > 0) && newCounter <= credential.counter)
      return {
        ok: false,
        reason: 'counter',
        detail: `the signature counter went from ${credential.counter} to ${newCounter}`,
      };
    return {
      ok: true,
      newCounter,
      userVerified,
      backedUp: credentialBackedUp,
      deviceType: credentialDeviceType,
    };
  } catch (error) {
    return invalid(error instanceof Error ? error.message : 'malformed response');
  }
}
