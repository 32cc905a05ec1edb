/** The cookie-name prefixes browsers enforce (RFC 6265bis section 4.1.3); `''`: the seed's names. */
export const COOKIE_PREFIXES = ['', '__Secure-', '__Host-'] as const;
export type CookiePrefix = (typeof COOKIE_PREFIXES)[number];

/**
 * The name an auth cookie is set and read under: the configured `cookiePrefix`, then its base
 * name. Every auth cookie is named through this (refresh, CSRF, session, and any later one such
 * as a device cookie), so one setting moves them all under the browser's prefix rules.
 * @example authCookieName(config, config.refreshCookieName) // "__Host-refresh_cookie"
 */
export function authCookieName(config: { cookiePrefix: CookiePrefix }, base: string): string {
  return `${config.cookiePrefix}${base}`;
}
