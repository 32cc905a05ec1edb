import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';

/** The IdP's key set could not be fetched: the IdP is unreachable, not the token bad. */
export class IdpUnavailable extends Error {
  override name = 'IdpUnavailable';
}

/**
 * A fetcher for aws-jwt-verify's JWKS cache that always loads the configured AUTH_IDP_JWKS_URL
 * (the local stand-in IdP in development and tests) whatever URL the verifier derives from the
 * issuer. The verifier still checks the Cognito pool's issuer, so tests run the production path;
 * the cache refetches (rate-limited by aws-jwt-verify's penalty box) when an unknown `kid` arrives.
 */
export class FixedUrlJwksFetcher implements Fetcher {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 3000,
  ) {}

  async fetch(): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { Accept: 'application/json' },
      });
    } catch (error) {
      throw new IdpUnavailable(
        `cannot fetch the IdP's JWKS from ${this.url}: ${(error as Error).message}`,
      );
    }
    if (!response.ok)
      throw new IdpUnavailable(`the IdP's JWKS at ${this.url} answered ${response.status}`);
    return response.arrayBuffer();
  }
}

/** A JWKS cache that loads from `jwksUrl` when given, else aws-jwt-verify's default (the issuer's well-known URL). */
export function createJwksCache(jwksUrl: string | null): SimpleJwksCache {
  return jwksUrl
    ? new SimpleJwksCache({ fetcher: new FixedUrlJwksFetcher(jwksUrl) })
    : new SimpleJwksCache();
}
