/**
 * A small, deliberately pessimistic estimate of how many bits of entropy a configured secret
 * holds, so that production refuses `aaaa…`, `changeme-changeme-…` or `abcdefgh…` even when they
 * are long. It is a heuristic for configuration mistakes, not a proof of randomness: a secret
 * from `openssl rand -base64 48` or `npm run auth -- generate-keys` always passes with a wide
 * margin, and anything typed by a person should not be used at all.
 *
 * The estimate is the lower of two figures:
 * - the per-character Shannon entropy of the text's own character frequencies (with the
 *   Miller–Madow small-sample correction), times its length (catches a small alphabet: `aaaa…`,
 *   `abab…`, `0101…`);
 * - a walk over the text that charges each character the bits of its character classes
 *   (lower case 26, upper case 26, digits 10, other ASCII 33, anything else 100), except that a
 *   repeat of earlier text (three characters or more), a run with a constant step (`abcd`,
 *   `1234`, `9753`) or a well-known placeholder word costs only the few bits needed to name it.
 */

/** Production's floor for AUTH_SECRET and AUTH_HS256_KEY (docs/contract.md section 5). */
export const MIN_SECRET_LENGTH = 32;
export const MIN_SECRET_BITS = 128;

/** Words people put in placeholder secrets; each costs only the bits to pick it from this list. */
const PLACEHOLDER_WORDS = [
  'changeme',
  'change',
  'secret',
  'password',
  'passw0rd',
  'example',
  'default',
  'sample',
  'admin',
  'qwerty',
  'letmein',
  'replace',
  'insert',
  'please',
  'your',
  'here',
  'this',
  'token',
  'test',
  'key',
  'super',
  'random',
  'string',
  'value',
  'strong',
  'long',
  'very',
  'auth',
  'app',
  'jwt',
  'dev',
  'local',
  'prod',
  'production',
  'development',
  'now',
  'the',
  'my',
  'it',
  'is',
];

const WORD_BITS = Math.log2(PLACEHOLDER_WORDS.length) + 1;
/** What a predictable character (the next step of a run) costs. */
const STEP_BITS = 1;
const MIN_REPEAT = 3;
/** Only this much of a secret is judged (the repeat search is quadratic); more only adds bits. */
const MAX_JUDGED = 256;

function classBits(chars: string[]): number {
  const has = (pattern: RegExp) => chars.some((c) => pattern.test(c));
  const pool =
    (has(/[a-z]/) ? 26 : 0) +
    (has(/[A-Z]/) ? 26 : 0) +
    (has(/[0-9]/) ? 10 : 0) +
    (has(/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/) ? 33 : 0) +
    (has(/[^\x20-\x7e]/) ? 100 : 0);
  return Math.log2(Math.max(pool, 2));
}

function shannonBits(chars: string[]): number {
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  // Miller–Madow correction: frequencies counted on a few dozen characters understate the
  // entropy of a truly random text (a 32-character base64 secret would otherwise fail at times).
  perChar += (counts.size - 1) / (2 * chars.length * Math.LN2);
  return perChar * chars.length;
}

/** The longest match of the text at `at` with text that starts earlier (overlap allowed, as LZ77). */
function longestRepeat(chars: string[], at: number): number {
  let best = 0;
  for (let from = 0; from < at; from++) {
    let length = 0;
    while (at + length < chars.length && chars[from + length] === chars[at + length]) length++;
    best = Math.max(best, length);
  }
  return best;
}

function isStep(chars: string[], at: number): boolean {
  if (at < 2) return false;
  const code = (i: number) => chars[i]!.codePointAt(0)!;
  return code(at) - code(at - 1) === code(at - 1) - code(at - 2);
}

function placeholderWordAt(lower: string[], at: number): string | undefined {
  const rest = lower.slice(at).join('');
  return PLACEHOLDER_WORDS.find((word) => rest.startsWith(word));
}

function structuralBits(chars: string[]): number {
  const literal = classBits(chars);
  const lower = chars.map((c) => c.toLowerCase());
  let bits = 0;
  let at = 0;
  while (at < chars.length) {
    const repeat = longestRepeat(chars, at);
    const word = placeholderWordAt(lower, at);
    if (repeat >= MIN_REPEAT && repeat >= (word?.length ?? 0)) {
      // Naming a repeat: where it starts and how long it is.
      bits += Math.log2(at) + Math.log2(repeat) + 1;
      at += repeat;
    } else if (word) {
      bits += WORD_BITS;
      at += word.length;
    } else {
      bits += isStep(chars, at) ? STEP_BITS : literal;
      at += 1;
    }
  }
  return bits;
}

/** The estimated entropy of a secret, in bits (see the module comment for the method). */
export function estimateEntropyBits(secret: string): number {
  const chars = [...secret].slice(0, MAX_JUDGED);
  if (chars.length === 0) return 0;
  return Math.min(shannonBits(chars), structuralBits(chars));
}

/**
 * Why a secret is too weak for production, or null when it is strong enough: fewer than
 * {@link MIN_SECRET_LENGTH} characters or fewer than {@link MIN_SECRET_BITS} estimated bits.
 */
export function secretWeakness(secret: string): string | null {
  const length = [...secret].length;
  if (length < MIN_SECRET_LENGTH)
    return `${length} characters, production needs at least ${MIN_SECRET_LENGTH}`;
  const bits = Math.floor(estimateEntropyBits(secret));
  if (bits < MIN_SECRET_BITS)
    return `about ${bits} bits of estimated entropy (repeats, runs, placeholder words or few distinct characters), production needs at least ${MIN_SECRET_BITS}`;
  return null;
}
