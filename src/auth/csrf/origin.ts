import type { AuthConfig } from '../config/types';

/**
 * The cross-site checks (docs/contract.md section 2): refuse a request whose `Origin` is present and
 * is neither the app's own origin nor a trusted one (`Origin: null` included), or whose
 * `Sec-Fetch-Site` is `cross-site`. The configured `appUrl` counts as trusted (section 5).
 * Returns true when the request may proceed.
 */
export function isSameSiteRequest(
  config: Pick<AuthConfig, 'trustedOrigins'> & Partial<Pick<AuthConfig, 'appUrl'>>,
  headers: Headers,
): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return false;
  const origin = headers.get('origin');
  if (origin === null) return true;
  if (config.trustedOrigins.includes(origin) || origin === config.appUrl) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" and anything else that is not an origin
  }
  // The app's own origin: the scheme and host the browser addressed. Next.js fills in the
  // x-forwarded-* headers from the connection when no proxy in front has set them.
  const host = (
    headers.get('x-forwarded-host')?.split(',')[0]?.trim() ??
    headers.get('host') ??
    ''
  ).toLowerCase();
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return parsed.host === host && (!proto || parsed.protocol === `${proto}:`);
}
