import { createHash, timingSafeEqual } from 'node:crypto';

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
