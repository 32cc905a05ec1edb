import type { AuthConfig } from '../config/types';

/**
 * The cross-site checks of CONTRACT.md section 2: refuse a request whose `Origin` is present and
 * is neither the app's own origin nor a trusted one (`Origin: null` included), or whose
 * `Sec-Fetch-Site` is `cross-site`. Returns true when the request may proceed.
 */
export function isSameSiteRequest(config: Pick<AuthConfig, 'trustedOrigins'>, headers: Headers): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return false;
  const origin = headers.get('origin');
  if (origin === null) return true;
  if (config.trustedOrigins.includes(origin)) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false; // "null" and anything else that is not an origin
  }
  // The app's own origin: the host the browser addressed (behind a proxy, the forwarded one).
  const host = headers.get('x-forwarded-host')?.split(',')[0]?.trim() ?? headers.get('host');
  return originHost === host;
}
