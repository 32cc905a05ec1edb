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
    return url.origin === 'http://relative.invalid'
      ? `${url.pathname}${url.search}${url.hash}`
      : fallback;
  } catch {
    return fallback;
  }
}
