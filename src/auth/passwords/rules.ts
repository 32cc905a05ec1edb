import { dictionary } from '@zxcvbn-ts/language-common';
import type { PasswordRules } from '../config/types';
import { MAX_PASSWORD_LENGTH, withinPasswordLength } from './encoding';

/**
 * The password rules of sign-up, password reset and password change (docs/contract.md section 8):
 * Django's four default validators (django.contrib.auth.password_validation), with their
 * defaults and in their order, and messages a person understands.
 */

/** What the similarity rule compares a password with: the account's own attributes. */
export interface PasswordOwner {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** Django's UserAttributeSimilarityValidator's attributes, with the names its message uses. */
const ATTRIBUTES: [keyof PasswordOwner, string][] = [
  ['username', 'username'],
  ['firstName', 'first name'],
  ['lastName', 'last name'],
  ['email', 'e-mail address'],
];

let common: Set<string> | undefined;

/**
 * The common passwords: the 49,000 of zxcvbn-ts's `passwords-common` dictionary (a maintained
 * package, built from leaked-password frequency lists; Django ships 20,000), lower-cased as
 * Django compares them. Only the account endpoints import this module, so the proxy and the
 * pages never load the list; the set is built on first use.
 */
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return common;
}

/** How many entries the common-password list has (for the docs and a test). */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}

/**
 * Python's `difflib.SequenceMatcher(a, b).quick_ratio()`: an upper bound on the similarity
 * ratio, 2·M / (|a| + |b|) where M counts the characters the two share as multisets. Django's
 * similarity rule uses exactly this bound, so the kit refuses what Django refuses.
 */
export function quickRatio(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const total = left.length + right.length;
  if (total === 0) return 1;
  const available = new Map<string, number>();
  for (const char of right) available.set(char, (available.get(char) ?? 0) + 1);
  let matches = 0;
  for (const char of left) {
    const count = available.get(char) ?? 0;
    if (count > 0) {
      available.set(char, count - 1);
      matches++;
    }
  }
  return (2 * matches) / total;
}

/**
 * Django's `exceeds_maximum_length_ratio`: a password ten times longer than the attribute part
 * cannot be "too similar" to it, and the comparison is skipped (it also bounds the work).
 */
function beyondLengthRatio(password: string, maxSimilarity: number, part: string): boolean {
  const passwordLength = [...password].length;
  const partLength = [...part].length;
  return passwordLength >= 10 * partLength && partLength < (maxSimilarity / 2) * passwordLength;
}

/** Which attribute the password is too similar to, or null (UserAttributeSimilarityValidator). */
function similarAttribute(
  password: string,
  owner: PasswordOwner,
  maxSimilarity: number,
): string | null {
  const lowered = password.toLowerCase();
  for (const [key, label] of ATTRIBUTES) {
    const value = owner[key];
    if (!value) continue;
    const lower = value.toLowerCase();
    // Python's re.split(r"\W+"): word characters are letters, digits and the underscore.
    const parts = [...lower.split(/[^\p{L}\p{N}_]+/u), lower];
    for (const part of parts) {
      if (beyondLengthRatio(lowered, maxSimilarity, part)) continue;
      if (quickRatio(lowered, part) >= maxSimilarity) return label;
    }
  }
  return null;
}

/**
 * Checks a new password against the configured rules and returns what is wrong with it, one
 * sentence per broken rule (empty: the password is accepted). The length counts characters (code
 * points), as Django does; the upper bound also holds for the hasher's own limit. A string that
 * is not well-formed Unicode (a lone surrogate) is refused before anything else: the hasher would
 * see U+FFFD in its place, so the password typed would not be the one stored.
 */
export function passwordProblems(
  password: string,
  owner: PasswordOwner,
  rules: PasswordRules,
): string[] {
  const maxLength = Math.min(rules.maxLength, MAX_PASSWORD_LENGTH);
  if (!password.isWellFormed())
    return [
      'This password contains a character that is not valid text (an unpaired surrogate). Use letters, digits, symbols or emoji.',
    ];
  // Past the upper bound nothing else is worth checking (and the similarity work stays bounded).
  if (!withinPasswordLength(password, maxLength))
    return [`This password is too long. It may contain at most ${maxLength} characters.`];
  const problems: string[] = [];
  if ([...password].length < rules.minLength)
    problems.push(
      `This password is too short. It must contain at least ${rules.minLength} characters.`,
    );
  const similar = similarAttribute(password, owner, rules.maxSimilarity);
  if (similar) problems.push(`This password is too similar to your ${similar}.`);
  if (rules.commonPasswords && commonPasswords().has(password.toLowerCase().trim()))
    problems.push('This password is too common.');
  if (rules.numeric && /^\p{Nd}+$/u.test(password))
    problems.push('This password is entirely numeric.');
  return problems;
}
