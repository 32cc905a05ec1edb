import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { AuthConfig } from '../config/types';
import { deriveKey } from '../tokens/keys';
import { authCookieName } from './names';

/** The device cookie's base name (the `cookiePrefix` setting goes in front of it). */
export const DEVICE_COOKIE = 'device';

/** How long a browser stays a known device of an account after signing in to it there. */
export const DEVICE_LIFETIME_SECONDS = 365 * 86_400;

/** Accounts one browser is remembered for (the most recent sign-ins win). */
const MAX_ACCOUNTS = 5;

// `<user id>.<issued at>.<device id>.<mac>`: digits, digits, 16 random bytes, an HMAC-SHA256.
const ENTRY = /^([1-9]\d{0,14})\.(\d{1,12})\.([\w-]{22})\.([\w-]{43})$/;

/**
 * A browser that signed in to an account before (OWASP's "device cookie"): the account, when the
 * entry was issued (Unix seconds), and the random id its failures are counted under.
 */
export interface KnownDevice {
  userId: number;
  deviceId: string;
  issuedAt: number;
}

type DeviceConfig = Pick<AuthConfig, 'secret' | 'refreshCookiePath' | 'cookiePrefix'>;

function mac(config: DeviceConfig, payload: string): string {
  // A key of its own, derived from AUTH_SECRET like every cookie key: no other cookie's MAC can
  // pass for a device entry.
  return createHmac('sha256', deriveKey(config.secret, 'device-cookie'))
    .update(payload)
    .digest('base64url');
}

function encode(config: DeviceConfig, device: KnownDevice): string {
  const payload = `${device.userId}.${device.issuedAt}.${device.deviceId}`;
  return `${payload}.${mac(config, payload)}`;
}

function decode(config: DeviceConfig, entry: string, now: Date): KnownDevice | null {
  const match = ENTRY.exec(entry);
  if (!match) return null;
  const [, userId = '', issuedAt = '', deviceId = '', given = ''] = match;
  const expected = mac(config, `${userId}.${issuedAt}.${deviceId}`);
  // Constant time: the answer's timing must not reveal how much of a forged MAC was right.
  if (!timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return null;
  // The cookie's own expiry is the browser's business; a copied value expires here.
  if (now.getTime() / 1000 - Number(issuedAt) > DEVICE_LIFETIME_SECONDS) return null;
  return { userId: Number(userId), deviceId, issuedAt: Number(issuedAt) };
}

/**
 * The known devices in a request's `Cookie` header: every entry whose MAC verifies and that has
 * not outlived DEVICE_LIFETIME_SECONDS; anything else is ignored, as if absent.
 */
export function readKnownDevices(
  config: DeviceConfig,
  cookieHeader: string | null,
  now: Date,
): KnownDevice[] {
  let value: string | undefined;
  try {
    value = cookieHeader
      ? parseCookie(cookieHeader.slice(0, 16_384))[authCookieName(config, DEVICE_COOKIE)]
      : undefined;
  } catch {
    value = undefined;
  }
  if (!value) return [];
  return value
    .split('~', MAX_ACCOUNTS)
    .map((entry) => decode(config, entry, now))
    .filter((device): device is KnownDevice => device !== null);
}

/**
 * The device entry to remember after a successful sign-in of `userId`: the browser keeps the id
 * it already had for that account (its failure count stays with it), or gets a new random one.
 */
export function deviceAfterSignIn(
  known: KnownDevice | null,
  userId: number,
  now: Date,
): KnownDevice {
  return {
    userId,
    deviceId: known?.deviceId ?? randomBytes(16).toString('base64url'),
    issuedAt: Math.floor(now.getTime() / 1000),
  };
}

/**
 * The `Set-Cookie` value remembering `device` first, then the browser's other accounts: HttpOnly,
 * SameSite=Strict (only the same-site sign-in POST reads it), on the refresh cookie's path,
 * for DEVICE_LIFETIME_SECONDS.
 */
export function deviceCookie(
  config: DeviceConfig,
  device: KnownDevice,
  others: readonly KnownDevice[],
  secure: boolean,
): string {
  const entries = [device, ...others.filter((d) => d.userId !== device.userId)]
    .slice(0, MAX_ACCOUNTS)
    .map((d) => encode(config, d));
  // The refresh cookie's path: `/auth`, or `/` under the `__Host-` prefix.
  return stringifySetCookie(authCookieName(config, DEVICE_COOKIE), entries.join('~'), {
    httpOnly: true,
    sameSite: 'strict',
    path: config.refreshCookiePath,
    secure,
    expires: new Date((device.issuedAt + DEVICE_LIFETIME_SECONDS) * 1000),
  });
}
