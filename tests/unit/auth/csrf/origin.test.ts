import { describe, expect, it } from 'vitest';
import { isSameSiteRequest } from '@/auth/csrf/origin';

const NO_TRUSTED = { trustedOrigins: [] };

function allowed(
  headers: Record<string, string>,
  config: { trustedOrigins: string[] } = NO_TRUSTED,
): boolean {
  return isSameSiteRequest(config, new Headers(headers));
}

describe('isSameSiteRequest', () => {
  it("passes a request whose Origin is the app's own host", () => {
    expect(allowed({ host: 'app.example.com', origin: 'https://app.example.com' })).toBe(true);
  });

  it('passes a same-host Origin with a port', () => {
    expect(allowed({ host: 'localhost:3000', origin: 'http://localhost:3000' })).toBe(true);
  });

  it('fails a request from another origin', () => {
    expect(allowed({ host: 'app.example.com', origin: 'https://evil.example' })).toBe(false);
  });

  it('fails an Origin on the same host name but another port', () => {
    expect(allowed({ host: 'localhost:3000', origin: 'http://localhost:4000' })).toBe(false);
  });

  it('fails an Origin whose host only starts with the app host', () => {
    expect(
      allowed({ host: 'app.example.com', origin: 'https://app.example.com.evil.example' }),
    ).toBe(false);
  });

  it('fails "Origin: null"', () => {
    expect(allowed({ host: 'app.example.com', origin: 'null' })).toBe(false);
  });

  it('fails an Origin that is not a URL', () => {
    expect(allowed({ host: 'app.example.com', origin: 'app.example.com' })).toBe(false);
  });

  it('fails "Sec-Fetch-Site: cross-site" even with a same-host Origin', () => {
    expect(
      allowed({
        host: 'app.example.com',
        origin: 'https://app.example.com',
        'sec-fetch-site': 'cross-site',
      }),
    ).toBe(false);
  });

  it('fails "Sec-Fetch-Site: cross-site" without an Origin', () => {
    expect(allowed({ host: 'app.example.com', 'sec-fetch-site': 'cross-site' })).toBe(false);
  });

  it.each(['same-origin', 'same-site', 'none'])(
    'passes "Sec-Fetch-Site: %s" with a same-host Origin',
    (site) => {
      expect(
        allowed({
          host: 'app.example.com',
          origin: 'https://app.example.com',
          'sec-fetch-site': site,
        }),
      ).toBe(true);
    },
  );

  it('passes a request without an Origin (not a browser, or a same-origin GET)', () => {
    expect(allowed({ host: 'app.example.com' })).toBe(true);
  });

  it('passes a configured trusted origin', () => {
    const config = { trustedOrigins: ['https://admin.example.com'] };
    expect(allowed({ host: 'app.example.com', origin: 'https://admin.example.com' }, config)).toBe(
      true,
    );
  });

  it('fails an origin that is not among the trusted ones', () => {
    const config = { trustedOrigins: ['https://admin.example.com'] };
    expect(allowed({ host: 'app.example.com', origin: 'https://other.example.com' }, config)).toBe(
      false,
    );
  });

  it('fails "Sec-Fetch-Site: cross-site" even from a trusted origin', () => {
    const config = { trustedOrigins: ['https://admin.example.com'] };
    expect(
      allowed(
        {
          host: 'app.example.com',
          origin: 'https://admin.example.com',
          'sec-fetch-site': 'cross-site',
        },
        config,
      ),
    ).toBe(false);
  });

  it('compares against X-Forwarded-Host behind a proxy', () => {
    expect(
      allowed({
        host: 'internal:3000',
        'x-forwarded-host': 'app.example.com',
        origin: 'https://app.example.com',
      }),
    ).toBe(true);
  });

  it('fails an Origin equal to the internal Host when X-Forwarded-Host names another host', () => {
    expect(
      allowed({
        host: 'internal:3000',
        'x-forwarded-host': 'app.example.com',
        origin: 'http://internal:3000',
      }),
    ).toBe(false);
  });

  it('uses the first X-Forwarded-Host of a list', () => {
    const headers = {
      host: 'internal:3000',
      'x-forwarded-host': 'app.example.com, proxy.internal',
      origin: 'https://app.example.com',
    };
    expect(allowed(headers)).toBe(true);
  });

  it('fails an Origin when the request has neither Host nor X-Forwarded-Host', () => {
    expect(allowed({ origin: 'https://app.example.com' })).toBe(false);
  });
});
