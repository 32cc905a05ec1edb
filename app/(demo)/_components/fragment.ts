/**
 * Reads `token` from the URL fragment (`/verify-email#token=…`: a fragment never reaches a
 * server log or a Referer) and removes the fragment from the address bar and the history, so the
 * token does not linger where someone could copy it.
 */
export function takeFragmentToken(): string | null {
  const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
  if (window.location.hash)
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}`,
    );
  return token && token.trim() ? token.trim() : null;
}
