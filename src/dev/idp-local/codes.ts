import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lifetime of an authorization code, as in Cognito. */
export const CODE_TTL_MS = 5 * 60 * 1000;

/** RFC 7636 shape of an S256 code challenge (base64url of 32 bytes). */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** In-memory map from random opaque handles to values that expire, bounded in size. */
export class ExpiringStore<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();

  /** Creates a store whose handles live `ttlMs` and which holds at most `maxEntries`. */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a value and returns its new random handle. */
  add(value: T): string {
    this.#sweep();
    // Maps iterate in insertion order, so the first key is the oldest entry.
    const oldest = this.#entries.keys().next();
    if (this.#entries.size >= this.maxEntries && !oldest.done) this.#entries.delete(oldest.value);
    const handle = randomBytes(32).toString('base64url');
    this.#entries.set(handle, { value, expiresAt: this.now() + this.ttlMs });
    return handle;
  }

  /** Returns the live value for a handle without consuming it. */
  get(handle: string): T | undefined {
    const entry = this.#entries.get(handle);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.value;
    this.#entries.delete(handle);
    return undefined;
  }

  /** Returns the live value for a handle and deletes it, so each handle works at most once. */
  take(handle: string): T | undefined {
    const value = this.get(handle);
    this.#entries.delete(handle);
    return value;
  }

  #sweep(): void {
    const now = this.now();
    for (const [handle, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(handle);
    }
  }
}

/** Checks an RFC 7636 code verifier against the S256 challenge recorded with the code. */
export function pkceMatches(verifier: string | null | undefined, challenge: string): boolean {
  if (!verifier || !VERIFIER.test(verifier)) return false;
  const actual = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
