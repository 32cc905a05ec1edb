import { parseSetCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_COOKIE,
  DEVICE_LIFETIME_SECONDS,
  deviceAfterSignIn,
  deviceCookie,
  readKnownDevices,
  type KnownDevice,
} from '@/auth/cookies/device';

const config = {
  secret: 'device-cookie-test-secret-0123456789abcdef',
  refreshCookiePath: '/auth',
  cookiePrefix: '' as const,
};
const NOW = new Date('2026-01-01T00:00:00Z');

/** The `Cookie` header a browser sends back for a device `Set-Cookie`. */
function sentBack(setCookie: string): string {
  return `${DEVICE_COOKIE}=${encodeURIComponent(parseSetCookie(setCookie).value ?? '')}`;
}

describe('device cookie', () => {
  it('reads back the entry it wrote', () => {
    const device = deviceAfterSignIn(null, 42, NOW);
    expect(readKnownDevices(config, sentBack(deviceCookie(config, device, [], true)), NOW)).toEqual(
      [device],
    );
  });

  it('is named and scoped by cookiePrefix like the other auth cookies', () => {
    const hostConfig = { ...config, cookiePrefix: '__Host-' as const, refreshCookiePath: '/' };
    const device = deviceAfterSignIn(null, 42, NOW);
    const setCookie = parseSetCookie(deviceCookie(hostConfig, device, [], true));
    expect(setCookie).toMatchObject({ name: '__Host-device', path: '/', secure: true });
    const header = `__Host-device=${encodeURIComponent(setCookie.value ?? '')}`;
    expect(readKnownDevices(hostConfig, header, NOW)).toEqual([device]);
    // An unprefixed cookie (tossed by a sibling host) is not read under the prefix.
    expect(readKnownDevices(hostConfig, header.replace('__Host-', ''), NOW)).toEqual([]);
  });

  it('keeps the device id a browser already had for the account, with a new issue time', () => {
    const first = deviceAfterSignIn(null, 42, NOW);
    const later = new Date(NOW.getTime() + 86_400_000);
    expect(deviceAfterSignIn(first, 42, later)).toEqual({
      userId: 42,
      deviceId: first.deviceId,
      issuedAt: first.issuedAt + 86_400,
    });
  });

  it('remembers the five most recent accounts, the newest first, one entry per account', () => {
    let others: KnownDevice[] = [];
    for (const userId of [1, 2, 3, 4, 5, 6, 3]) {
      const device = deviceAfterSignIn(
        others.find((d) => d.userId === userId) ?? null,
        userId,
        NOW,
      );
      others = readKnownDevices(config, sentBack(deviceCookie(config, device, others, true)), NOW);
    }
    expect(others.map((d) => d.userId)).toEqual([3, 6, 5, 4, 2]);
  });

  it('ignores an entry older than its lifetime, whatever the cookie expiry said', () => {
    const device = deviceAfterSignIn(null, 42, NOW);
    const header = sentBack(deviceCookie(config, device, [], true));
    const justInTime = new Date(NOW.getTime() + DEVICE_LIFETIME_SECONDS * 1000);
    expect(readKnownDevices(config, header, justInTime)).toHaveLength(1);
    expect(readKnownDevices(config, header, new Date(justInTime.getTime() + 1000))).toEqual([]);
  });

  it('ignores an entry signed with another secret', () => {
    const device = deviceAfterSignIn(null, 42, NOW);
    const header = sentBack(
      deviceCookie({ ...config, secret: `${config.secret}-other` }, device, [], true),
    );
    expect(readKnownDevices(config, header, NOW)).toEqual([]);
  });

  it.each([
    ['no cookie', null],
    ['an empty value', `${DEVICE_COOKIE}=`],
    ['garbage', `${DEVICE_COOKIE}=garbage`],
    ['a bad cookie header', '=;=;;%'],
  ])('reads no device from %s', (_, header) => {
    expect(readKnownDevices(config, header, NOW)).toEqual([]);
  });

  it('keeps the valid entries next to a tampered one', () => {
    const a = deviceAfterSignIn(null, 1, NOW);
    const b = deviceAfterSignIn(null, 2, NOW);
    const value = parseSetCookie(deviceCookie(config, b, [a], true)).value!;
    const [first, second] = value.split('~') as [string, string];
    const tampered = `${first.slice(0, -1)}${first.endsWith('A') ? 'B' : 'A'}~${second}`;
    expect(readKnownDevices(config, `${DEVICE_COOKIE}=${tampered}`, NOW)).toEqual([a]);
  });

  it('is HttpOnly, SameSite=Strict, on the refresh path, expiring a lifetime after issue', () => {
    const device = deviceAfterSignIn(null, 42, NOW);
    const cookie = parseSetCookie(deviceCookie(config, device, [], true));
    expect(cookie).toMatchObject({
      name: DEVICE_COOKIE,
      httpOnly: true,
      sameSite: 'strict',
      path: '/auth',
      secure: true,
    });
    expect(cookie.expires!.getTime()).toBe(NOW.getTime() + DEVICE_LIFETIME_SECONDS * 1000);
  });
});
