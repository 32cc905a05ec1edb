import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthCore } from '../context';

/**
 * Double-submit check: the token the page sent (body or X-CSRF-Token header) equals the one in the
 * signed HttpOnly cookie. Hashing first gives equal lengths, so the comparison is constant-time.
 */
export function csrfTokensMatch(
  submitted: string | null | undefined,
  fromCookie: string | null,
): boolean {
  if (!submitted || !fromCookie || submitted.length > 512) return false;
  const a = createHash('sha256').update(submitted).digest();
  const b = createHash('sha256').update(fromCookie).digest();
  return timingSafeEqual(a, b);
}

/**
 * The CSRF token of a session: an HMAC of its `sid` with a key derived from AUTH_SECRET.
 * Unpredictable without the secret, and the same for every token of the family, so two tabs
 * refreshing at once never disagree about it.
 */
export function csrfTokenForSession(core: AuthCore, sid: string): string {
  return createHmac('sha256', core.keyring.csrfKey).update(sid).digest('base64url');
}
