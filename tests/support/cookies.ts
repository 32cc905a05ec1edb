/** The auth cookies as the HTTP suites read them: names, values, attributes, clearing. */
import { decodeJwt, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { setCookies, type HttpClient, type ParsedCookie } from './http-client';

/** The contract's cookie names (docs/contract.md section 3). */
export const REFRESH_COOKIE = 'refresh_cookie';
export const CSRF_COOKIE = 'CSRF_token';
export const SESSION_COOKIE = 'session';

/** The cookies a response set, by name. */
export function cookiesByName(response: Response): Record<string, ParsedCookie> {
  return Object.fromEntries(setCookies(response).map((cookie) => [cookie.name, cookie]));
}

/** The JWT inside a signed cookie value (`<jwt>:<signature>`). */
export function jwtOfSignedCookie(value: string): string {
  const at = value.lastIndexOf(':');
  return at > 0 ? value.slice(0, at) : value;
}

/** The refresh JWT the client holds in its jar. */
export function refreshJwt(client: HttpClient): string {
  const value = client.jar.get(REFRESH_COOKIE)?.value;
  if (!value) throw new Error('the client holds no refresh cookie');
  return jwtOfSignedCookie(value);
}

/** The decoded claims of the refresh token the client holds. */
export function refreshClaims(
  client: HttpClient,
): JWTPayload & { sid: string; jti: string; exp: number } {
  return decodeJwt(refreshJwt(client)) as JWTPayload & { sid: string; jti: string; exp: number };
}

/** Asserts that a response clears all three auth cookies: same names and paths, expiry in the past. */
export function expectCookiesCleared(response: Response): void {
  const cookies = cookiesByName(response);
  for (const [name, path] of [
    [REFRESH_COOKIE, '/auth'],
    [CSRF_COOKIE, '/auth'],
    [SESSION_COOKIE, '/'],
  ] as const) {
    const cookie = cookies[name];
    expect(cookie, `${name} is cleared`).toBeDefined();
    expect(cookie?.path).toBe(path);
    expect(cookie?.value ?? '').toBe('');
    const expired =
      (cookie?.expires !== undefined && cookie.expires.getTime() <= Date.now()) ||
      (cookie?.maxAge !== undefined && cookie.maxAge <= 0);
    expect(expired, `${name} expires in the past`).toBe(true);
  }
}

/** The attributes docs/contract.md section 3 fixes for every auth cookie. */
export function attributesOf({ httpOnly, sameSite, path, secure }: ParsedCookie) {
  return { httpOnly, sameSite, path, secure };
}
