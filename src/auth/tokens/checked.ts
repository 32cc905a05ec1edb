import { LRUCache } from 'lru-cache';

/** What a signature check established: the token's header and claims, frozen (they are shared). */
export interface CheckedJws {
  header: Readonly<Record<string, unknown>>;
  claims: Readonly<Record<string, unknown>>;
}

/**
 * How many access tokens one process remembers as checked. An entry is the token's text and its
 * decoded header and claims, about 1.5 KB with the template's claims: a few MB at most.
 */
export const CHECKED_TOKENS_MAX = 4096;

/**
 * Access tokens whose signature this process has already checked, by their exact text.
 *
 * Why: a client presents the same access token on every request for its lifetime (5 minutes by
 * default), and the signature check gives the same answer every time, since the keys do not change
 * while the process runs (a new key is a restart). ES256 verification is about 90 µs of the
 * roughly 900 µs a guarded API request costs the server (tests/bench/README.md); a lookup by the
 * token's text is well under a microsecond. fast-jwt's `cache` option does the same.
 *
 * What it does not change: only the signature check is skipped, for a string byte-for-byte equal
 * to one that passed it (no other string can hit: the whole token is the key, not a hash or a
 * part of it). The claims are judged again at every use, so an expired token is refused as
 * before, and whatever else a caller checks (a live session, the blacklist) it still checks.
 * Only tokens that passed every check go in, so refused tokens cannot fill it, and its size is
 * bounded (least recently used out first).
 */
export function newCheckedTokens(): LRUCache<string, CheckedJws> {
  return new LRUCache<string, CheckedJws>({ max: CHECKED_TOKENS_MAX });
}

/** Freezes a decoded JSON value throughout, so a caller cannot change what the next one gets. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
