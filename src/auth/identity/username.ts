import unhomoglyph from 'unhomoglyph';

/** Django's `normalize_username`: NFKC, so ligatures and full-width letters become plain ones. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/**
 * The key that keeps usernames unique case-insensitively: NFKC, then case-folded. Upper- then
 * lower-casing approximates Unicode full case folding (`ß` and `SS` both give `ss`, `ς` and `σ`
 * both `σ`) without a locale, so it is the same on every server.
 */
export function canonicalUsername(username: string): string {
  return normalizeUsername(username).toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * The confusable skeleton of a username (UTS 39, with the Unicode confusables table that
 * unhomoglyph ships): Cyrillic `аdmin` and Latin `admin` have the same skeleton, `adrnin`.
 * Compared only to keep an automatically created username from looking like an existing one.
 */
export function usernameSkeleton(username: string): string {
  return unhomoglyph(canonicalUsername(username).normalize('NFD')).normalize('NFD');
}

/**
 * Scripts a username's letters are told apart by; letters of any script not listed count as one
 * further script. Han, Hiragana, Katakana, Bopomofo and Hangul form one group, since Japanese,
 * Chinese and Korean names mix them (UTS 39's "highly restrictive" level).
 */
const SCRIPTS: [name: string, letters: RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Coptic', /\p{Script=Coptic}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  [
    'CJK',
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\p{Script=Hangul}]/u,
  ],
];

/**
 * Tells whether a username mixes scripts, as a lookalike of a Latin name does (`аdmin` with a
 * Cyrillic `а`). Digits and punctuation (script Common) and combining marks (Inherited) belong to
 * no script; Latin with the CJK group is allowed.
 */
export function isMixedScript(username: string): boolean {
  const found = new Set<string>();
  for (const char of normalizeUsername(username)) {
    if (!/[\p{L}\p{M}\p{N}]/u.test(char) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(char))
      continue;
    found.add(SCRIPTS.find(([, letters]) => letters.test(char))?.[0] ?? 'Other');
  }
  if (found.size === 2 && found.has('Latin') && found.has('CJK')) return false;
  return found.size > 1;
}
