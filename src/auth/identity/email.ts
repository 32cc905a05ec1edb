import { domainToASCII } from 'node:url';

/** Anything but printable ASCII (non-ASCII letters, spaces, control characters). */
const NOT_PRINTABLE_ASCII = /[^\x21-\x7e]/;

/**
 * The form in which two e-mail addresses are compared for linking (docs/contract.md section 2): the
 * domain converted to ASCII with IDNA (UTS 46, as browsers and resolvers do, so `gmaİl.com` is
 * `xn--gmail-bgd.com`, a different domain) and lower-cased; the local part kept exactly, apart from
 * ASCII case. Null when the address must never link automatically: empty or malformed, a domain
 * IDNA refuses, or a local part with non-ASCII characters (whose equivalences, such as the Kelvin
 * sign and `k`, only the mail server decides). Computed here, never with SQL `lower()`, whose
 * Unicode folding depends on the database's ctype and maps `İ` to `i`.
 */
export function canonicalEmail(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  const local = address.slice(0, at);
  if (NOT_PRINTABLE_ASCII.test(local)) return null;
  const domain = domainToASCII(address.slice(at + 1));
  if (!domain) return null;
  return `${local.replace(/[A-Z]+/g, (s) => s.toLowerCase())}@${domain.toLowerCase()}`;
}
