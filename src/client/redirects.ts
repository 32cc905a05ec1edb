/**
 * Returns `target` when it is a same-origin relative path (`/dashboard?tab=1`), else `fallback`:
 * never an absolute URL, a protocol-relative `//host` or a `/\host` that browsers treat as one,
 * so a `next` or `returnTo` parameter cannot become an open redirect.
 * @example safeRelativePath('/dashboard') // '/dashboard'; safeRelativePath('//evil.example') // '/'
 */
export function safeRelativePath(target: string | null | undefined, fallback = '/'): string {
  if (!target || target.length > 2048 || !target.startsWith('/')) return fallback;
  if (target.startsWith('//') || target.startsWith('/\\') || /[\u0000-\u001f\\]/.test(target))
    return fallback;
  try {
    const url = new URL(target, 'http://relative.invalid');
    const path = `${url.pathname}${url.search}${url.hash}`;
    // Check the result too: resolving dot segments can turn `/..//evil.example` into `//evil.example`.
    const offSite =
      url.origin !== 'http://relative.invalid' || path.startsWith('//') || path.startsWith('/\\');
    return offSite ? fallback : path;
  } catch {
    return fallback;
  }
}
