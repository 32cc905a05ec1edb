import { describe, expect, it } from 'vitest';
import {
  clearAuthCookies,
  isSecure,
  readAuthCookies,
  setAuthCookies,
  type AuthCookieValues,
} from '@/auth/cookies/auth-cookies';
import { CookieSigner } from '@/auth/cookies/signing';

const CONFIG = {
  refreshCookieName: 'refresh_cookie',
  refreshCookiePath: '/auth',
  csrfCookieName: 'CSRF_token',
  sessionCookieName: 'session',
  cookieSecure: 'auto',
  cookiePrefix: '',
  production: false,
} as const;

const signer = new CookieSigner('test-secret-0123456789abcdefghijk', 'extra');

/** 2025-11-29T16:00:00Z: the refresh token's expiry. */
const VALUES: AuthCookieValues = {
  refreshToken: 'header.refresh-payload.signature',
  csrfToken: 'csrf-token-value',
  sessionToken: 'header.session-payload.signature',
  expiresAt: 1_764_432_000,
};
const EXPIRES = 'Expires=Sat, 29 Nov 2025 16:00:00 GMT';
const EPOCH = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT';

interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: string[];
}

function parseSetCookie(header: string): ParsedSetCookie {
  const [pair = '', ...attributes] = header.split('; ');
  const at = pair.indexOf('=');
  return {
    name: pair.slice(0, at),
    value: decodeURIComponent(pair.slice(at + 1)),
    attributes: attributes.sort(),
  };
}

function byName(headers: string[]): Record<string, ParsedSetCookie> {
  return Object.fromEntries(headers.map(parseSetCookie).map((cookie) => [cookie.name, cookie]));
}

/** The `Cookie` request header a browser would send back for these `Set-Cookie` values. */
function cookieHeader(headers: string[]): string {
  return headers.map((header) => header.split('; ')[0]).join('; ');
}

describe('setAuthCookies', () => {
  const cookies = byName(setAuthCookies(CONFIG, signer, VALUES, true));

  it('sets the refresh, CSRF and session cookies under their default names', () => {
    expect(Object.keys(cookies).sort()).toEqual(['CSRF_token', 'refresh_cookie', 'session']);
  });

  it('sets the refresh cookie HttpOnly, Secure, SameSite=Strict on /auth, expiring with the refresh token', () => {
    expect(cookies.refresh_cookie?.attributes).toEqual([
      EXPIRES,
      'HttpOnly',
      'Path=/auth',
      'SameSite=Strict',
      'Secure',
    ]);
  });

  it('sets the CSRF cookie with the same attributes as the refresh cookie', () => {
    expect(cookies.CSRF_token?.attributes).toEqual([
      EXPIRES,
      'HttpOnly',
      'Path=/auth',
      'SameSite=Strict',
      'Secure',
    ]);
  });

  it('sets the session cookie HttpOnly, Secure, SameSite=Lax on /, expiring with the refresh token', () => {
    expect(cookies.session?.attributes).toEqual([
      EXPIRES,
      'HttpOnly',
      'Path=/',
      'SameSite=Lax',
      'Secure',
    ]);
  });

  it('signs the refresh token for the refresh cookie name', () => {
    expect(signer.unsign('refresh_cookie', cookies.refresh_cookie?.value)).toBe(
      VALUES.refreshToken,
    );
  });

  it('signs the CSRF token for the CSRF cookie name', () => {
    expect(signer.unsign('CSRF_token', cookies.CSRF_token?.value)).toBe(VALUES.csrfToken);
  });

  it('stores the session token as is (it is a JWT with its own signature)', () => {
    expect(cookies.session?.value).toBe(VALUES.sessionToken);
  });

  it('leaves Secure out when not secure', () => {
    for (const header of setAuthCookies(CONFIG, signer, VALUES, false)) {
      expect(parseSetCookie(header).attributes).not.toContain('Secure');
    }
  });

  it('uses the configured names and refresh path', () => {
    const config = {
      ...CONFIG,
      refreshCookieName: 'rt',
      csrfCookieName: 'ct',
      sessionCookieName: 'sc',
      refreshCookiePath: '/api/auth',
    };
    const custom = byName(setAuthCookies(config, signer, VALUES, true));
    expect(
      [custom.rt?.attributes, custom.ct?.attributes, custom.sc?.attributes].map((a) =>
        a?.find((x) => x.startsWith('Path=')),
      ),
    ).toEqual(['Path=/api/auth', 'Path=/api/auth', 'Path=/']);
  });
});

describe('clearAuthCookies', () => {
  const cleared = byName(clearAuthCookies(CONFIG, true));

  it('clears the refresh cookie under the same name and path, with an expiry in the past', () => {
    expect(cleared.refresh_cookie).toEqual({
      name: 'refresh_cookie',
      value: '',
      attributes: [EPOCH, 'HttpOnly', 'Path=/auth', 'SameSite=Strict', 'Secure'],
    });
  });

  it('clears the CSRF cookie under the same name and path, with an expiry in the past', () => {
    expect(cleared.CSRF_token).toEqual({
      name: 'CSRF_token',
      value: '',
      attributes: [EPOCH, 'HttpOnly', 'Path=/auth', 'SameSite=Strict', 'Secure'],
    });
  });

  it('clears the session cookie under the same name and path, with an expiry in the past', () => {
    expect(cleared.session).toEqual({
      name: 'session',
      value: '',
      attributes: [EPOCH, 'HttpOnly', 'Path=/', 'SameSite=Lax', 'Secure'],
    });
  });

  it('clears under the configured refresh path', () => {
    const custom = byName(clearAuthCookies({ ...CONFIG, refreshCookiePath: '/api/auth' }, true));
    expect(custom.refresh_cookie?.attributes).toContain('Path=/api/auth');
  });
});

describe('isSecure', () => {
  it('is true in production, even on plain http', () => {
    expect(isSecure({ ...CONFIG, production: true }, 'http://app.example.com/auth/sign-in/')).toBe(
      true,
    );
  });

  it('is false in development over http', () => {
    expect(isSecure(CONFIG, 'http://localhost:3000/auth/sign-in/')).toBe(false);
  });

  it('is true in development over https', () => {
    expect(isSecure(CONFIG, 'https://localhost:3000/auth/sign-in/')).toBe(true);
  });

  it('is true when cookieSecure is true, even in development over http', () => {
    expect(isSecure({ ...CONFIG, cookieSecure: true }, 'http://localhost:3000/auth/sign-in/')).toBe(
      true,
    );
  });

  it('is false when cookieSecure is false, even in production', () => {
    expect(
      isSecure(
        { ...CONFIG, cookieSecure: false, production: true },
        'https://app.example.com/auth/sign-in/',
      ),
    ).toBe(false);
  });
});

describe('readAuthCookies', () => {
  const header = cookieHeader(setAuthCookies(CONFIG, signer, VALUES, true));

  it('reads back the values setAuthCookies wrote', () => {
    expect(readAuthCookies(CONFIG, signer, header)).toEqual({
      refreshToken: VALUES.refreshToken,
      csrfToken: VALUES.csrfToken,
      sessionToken: VALUES.sessionToken,
      duplicated: false,
    });
  });

  it('treats a refresh cookie with a bad signature as absent', () => {
    const tampered = header.replace('refresh-payload', 'refresh-payloaX');
    expect(readAuthCookies(CONFIG, signer, tampered).refreshToken).toBeNull();
  });

  it('treats a CSRF cookie with a bad signature as absent', () => {
    const tampered = header.replace('csrf-token-value', 'csrf-token-valuX');
    expect(readAuthCookies(CONFIG, signer, tampered).csrfToken).toBeNull();
  });

  it('treats an unsigned refresh cookie as absent', () => {
    expect(
      readAuthCookies(CONFIG, signer, `refresh_cookie=${VALUES.refreshToken}`).refreshToken,
    ).toBeNull();
  });

  it('treats a CSRF cookie value replayed as the refresh cookie as absent', () => {
    const csrfValue = encodeURIComponent(signer.sign('CSRF_token', VALUES.refreshToken));
    expect(readAuthCookies(CONFIG, signer, `refresh_cookie=${csrfValue}`).refreshToken).toBeNull();
  });

  it('treats cookies signed with another secret as absent', () => {
    const other = new CookieSigner('another-secret-0123456789abcdefgh', 'extra');
    const foreign = cookieHeader(setAuthCookies(CONFIG, other, VALUES, true));
    expect(readAuthCookies(CONFIG, signer, foreign)).toMatchObject({
      refreshToken: null,
      csrfToken: null,
    });
  });

  it('returns every cookie as absent without a Cookie header', () => {
    expect(readAuthCookies(CONFIG, signer, null)).toEqual({
      refreshToken: null,
      csrfToken: null,
      sessionToken: null,
      duplicated: false,
    });
  });

  it('ignores unrelated cookies', () => {
    expect(readAuthCookies(CONFIG, signer, `theme=dark; ${header}; lang=en`).refreshToken).toBe(
      VALUES.refreshToken,
    );
  });

  it('treats a malformed Cookie header as carrying no auth cookies', () => {
    expect(readAuthCookies(CONFIG, signer, 'refresh_cookie=%E0%A4%A; ;;=;')).toMatchObject({
      refreshToken: null,
      csrfToken: null,
    });
  });

  it('treats an empty session cookie as absent', () => {
    expect(readAuthCookies(CONFIG, signer, 'session=').sessionToken).toBeNull();
  });
});

describe('readAuthCookies with a cookie sent twice', () => {
  const header = cookieHeader(setAuthCookies(CONFIG, signer, VALUES, true));

  it.each([
    ['the refresh cookie', 'refresh_cookie=planted'],
    ['the CSRF cookie', 'CSRF_token=planted'],
    ['the refresh cookie, spaced', ' refresh_cookie =planted'],
  ])('flags %s sent twice', (_, extra) => {
    expect(readAuthCookies(CONFIG, signer, `${extra}; ${header}`).duplicated).toBe(true);
  });

  it('does not flag other cookies sent twice, nor a value that spells a name', () => {
    const others = `theme=a; theme=b; session=x; lang=refresh_cookie; refresh_cookie`;
    expect(readAuthCookies(CONFIG, signer, `${others}; ${header}`).duplicated).toBe(false);
  });
});

describe('cookiePrefix', () => {
  const host = { ...CONFIG, cookiePrefix: '__Host-', refreshCookiePath: '/' } as const;
  const secureOnly = { ...CONFIG, cookiePrefix: '__Secure-' } as const;

  it('prefixes every cookie name it sets and clears', () => {
    for (const cookies of [
      setAuthCookies(host, signer, VALUES, true),
      clearAuthCookies(host, true),
    ]) {
      expect(cookies.map((c) => c.split('=')[0])).toEqual([
        '__Host-refresh_cookie',
        '__Host-CSRF_token',
        '__Host-session',
      ]);
    }
  });

  it('reads back the prefixed cookies, and ignores unprefixed ones of the same base name', () => {
    const header = cookieHeader(setAuthCookies(secureOnly, signer, VALUES, true));
    expect(readAuthCookies(secureOnly, signer, header).refreshToken).toBe(VALUES.refreshToken);
    const plain = cookieHeader(setAuthCookies(CONFIG, signer, VALUES, true));
    expect(readAuthCookies(secureOnly, signer, plain).refreshToken).toBeNull();
  });

  it('signs over the prefixed name: an unprefixed cookie renamed with the prefix is absent', () => {
    const plain = cookieHeader(setAuthCookies(CONFIG, signer, VALUES, true));
    const renamed = plain.replace('refresh_cookie=', '__Secure-refresh_cookie=');
    expect(readAuthCookies(secureOnly, signer, renamed).refreshToken).toBeNull();
  });

  it('is always Secure with a prefix, even in development over http', () => {
    expect(isSecure(secureOnly, 'http://localhost:3000/auth/sign-in/')).toBe(true);
  });
});
