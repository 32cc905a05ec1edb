import { createHmac } from 'node:crypto';
import { parseCookie } from 'cookie';
import fc from 'fast-check';
import { anyString, headerText } from './arbitraries';
import {
  applyTokenRecipe,
  charEdit,
  editChars,
  sameTokenBytes,
  tokenRecipe,
  type CharEdit,
  type GenuineTokens,
  type SigningMaterial,
  type TokenRecipe,
} from './jwt-mutations';

/**
 * Mutations of the signed refresh and CSRF cookies (docs/contract.md section 3: `value:HMAC`, keyed
 * from AUTH_SECRET and COOKIE_SALT, bound to the cookie's name) and of the Cookie header.
 */

/** The genuine cookie values of one signed-in session, as the browser stores them (decoded). */
export interface GenuineCookies extends GenuineTokens {
  refreshCookie: string;
  csrfCookie: string;
  csrfToken: string;
}

/** The HMAC a signed cookie carries, computed independently of the kit's signer (base64url, canonical). */
export function cookieMac(secret: string, salt: string, name: string, value: string): string {
  const key = createHmac('sha256', secret).update(`auth-kit:signed-cookie:${salt}`).digest();
  return createHmac('sha256', key).update(`${name}=${value}`).digest('base64url');
}

/** The value of a signed cookie whose MAC is exactly the canonical one, else null. */
export function strictUnsign(
  secret: string,
  salt: string,
  name: string,
  signed: string | undefined,
): string | null {
  if (!signed) return null;
  const at = signed.lastIndexOf(':');
  if (at <= 0) return null;
  const value = signed.slice(0, at);
  return signed.slice(at + 1) === cookieMac(secret, salt, name, value) ? value : null;
}

export type CookieRecipe =
  | { kind: 'chars'; part: 'whole' | 'value' | 'signature'; edits: CharEdit[] }
  | { kind: 'token'; recipe: TokenRecipe; resign: boolean }
  | { kind: 'resign'; name: string; salt: string; otherSecret: boolean }
  | {
      kind: 'swap';
      with:
        | 'csrf'
        | 'session'
        | 'access'
        | 'value-only'
        | 'signature-only'
        | 'empty'
        | 'colon'
        | 'doubled';
    }
  | {
      kind: 'encoding';
      variant: 'lastBits' | 'pad' | 'stdAlphabet' | 'insertIgnored';
      n: number;
      ch: string;
    }
  | { kind: 'garbage'; value: string };

export const cookieRecipe: fc.Arbitrary<CookieRecipe> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('chars' as const),
      part: fc.constantFrom('whole' as const, 'value' as const, 'signature' as const),
      edits: fc.array(charEdit, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('token' as const),
      recipe: tokenRecipe(),
      resign: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('resign' as const),
      name: fc.constantFrom(
        'CSRF_token',
        'session',
        'refresh',
        'Refresh_cookie',
        '',
        'refresh_cookie',
      ),
      salt: fc.constantFrom('extra', 'other', ''),
      otherSecret: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('swap' as const),
      with: fc.constantFrom(
        'csrf' as const,
        'session' as const,
        'access' as const,
        'value-only' as const,
        'signature-only' as const,
        'empty' as const,
        'colon' as const,
        'doubled' as const,
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('encoding' as const),
      variant: fc.constantFrom(
        'lastBits' as const,
        'pad' as const,
        'stdAlphabet' as const,
        'insertIgnored' as const,
      ),
      n: fc.nat(),
      ch: fc.constantFrom('=', '!', '.', ' ', '\t', '*', '~', '$', '@', '\u00e9'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      value: fc.oneof(anyString(80), headerText(200)),
    }),
  },
);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Other spellings of the MAC that Node's lenient base64url decoder reads as the same bytes. */
function respell(
  mac: string,
  variant: 'lastBits' | 'pad' | 'stdAlphabet' | 'insertIgnored',
  n: number,
  ch: string,
): string {
  if (variant === 'pad') return mac + '='.repeat(1 + (n % 2));
  if (variant === 'stdAlphabet') return mac.replace(/-/g, '+').replace(/_/g, '/');
  if (variant === 'insertIgnored') {
    const at = n % (mac.length + 1);
    return mac.slice(0, at) + ch + mac.slice(at);
  }
  // 43 characters carry 258 bits for 256: the last character's two low bits are unused.
  const last = ALPHABET.indexOf(mac.at(-1)!);
  return mac.slice(0, -1) + ALPHABET[(last & ~3) | ((last + 1 + (n % 3)) & 3)];
}

/** What the suite needs to apply a cookie recipe. */
export interface CookieContext {
  genuine: GenuineCookies;
  keys: SigningMaterial;
  salt: string;
}

/** Applies a recipe to the signed cookie `name` whose genuine (decoded) value is `signed`. */
export function applyCookieRecipe(
  recipe: CookieRecipe,
  name: string,
  signed: string,
  ctx: CookieContext,
): string {
  const at = signed.lastIndexOf(':');
  const value = signed.slice(0, at);
  const mac = signed.slice(at + 1);
  const { secret } = ctx.keys;
  switch (recipe.kind) {
    case 'chars':
      if (recipe.part === 'whole') return editChars(signed, recipe.edits);
      if (recipe.part === 'value') return `${editChars(value, recipe.edits)}:${mac}`;
      return `${value}:${editChars(mac, recipe.edits)}`;
    case 'token': {
      const token = applyTokenRecipe(recipe.recipe, ctx.genuine, ctx.keys);
      return `${token}:${recipe.resign ? cookieMac(secret, ctx.salt, name, token) : mac}`;
    }
    case 'resign':
      return `${value}:${cookieMac(recipe.otherSecret ? `${secret}x` : secret, recipe.salt, recipe.name, value)}`;
    case 'swap':
      switch (recipe.with) {
        case 'csrf':
          return name === 'refresh_cookie' ? ctx.genuine.csrfCookie : ctx.genuine.refreshCookie;
        case 'session':
          return ctx.genuine.session;
        case 'access':
          return `${ctx.genuine.access}:${mac}`;
        case 'value-only':
          return value;
        case 'signature-only':
          return `:${mac}`;
        case 'empty':
          return '';
        case 'colon':
          return `${value}:`;
        case 'doubled':
          return `${signed}:${mac}`;
      }
      break;
    case 'encoding':
      return `${value}:${respell(mac, recipe.variant, recipe.n, recipe.ch)}`;
    case 'garbage':
      return recipe.value;
  }
  return signed;
}

/** Percent-encodes every byte outside the cookie-safe ASCII set (lone surrogates as U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~!*'()]/.test(ch)
      ? ch
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** How the Cookie header around the mutated cookies is laid out. */
export interface CookieLayout {
  encode: 'uri' | 'raw' | 'quoted';
  duplicate: 'none' | 'garbage-before' | 'genuine-after' | 'genuine-before';
  garbage: string;
  separator: string;
  others: string[];
  padding: number | null;
  withCsrf: boolean;
  withSession: boolean;
}

export const cookieLayout: fc.Arbitrary<CookieLayout> = fc.record({
  encode: fc.constantFrom('uri' as const, 'uri' as const, 'raw' as const, 'quoted' as const),
  duplicate: fc.oneof(
    { weight: 12, arbitrary: fc.constant('none' as const) },
    { weight: 2, arbitrary: fc.constantFrom('garbage-before' as const, 'genuine-after' as const) },
    { weight: 1, arbitrary: fc.constant('genuine-before' as const) },
  ),
  garbage: headerText(60),
  separator: fc.constantFrom('; ', ';', ' ;  '),
  others: fc.array(
    fc
      .tuple(fc.constantFrom('a', 'theme', '__Secure-x', 'Session', 'csrf_token'), headerText(40))
      .map(([n, v]) => `${n}=${v.replace(/;/g, '')}`),
    { maxLength: 3 },
  ),
  padding: fc.option(fc.integer({ min: 500, max: 7000 }), { nil: null, freq: 8 }),
  withCsrf: fc.oneof(
    { weight: 9, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  withSession: fc.boolean(),
});

function encodeValue(value: string, how: CookieLayout['encode']): string {
  const raw = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x7e]*$/.test(value);
  if (how === 'raw' && raw) return value;
  if (how === 'quoted' && raw) return `"${value}"`;
  return percentEncode(value);
}

/** Builds the Cookie header that carries `refresh` and `csrf` (decoded values) in `layout`. */
export function buildCookieHeader(
  refresh: string,
  csrf: string,
  layout: CookieLayout,
  genuine: GenuineCookies,
): string {
  const pairs = [...layout.others];
  const enc = (value: string) => encodeValue(value, layout.encode);
  if (layout.duplicate === 'garbage-before')
    pairs.push(`refresh_cookie=${percentEncode(layout.garbage)}`);
  if (layout.duplicate === 'genuine-before')
    pairs.push(`refresh_cookie=${percentEncode(genuine.refreshCookie)}`);
  pairs.push(`refresh_cookie=${enc(refresh)}`);
  if (layout.duplicate === 'genuine-after')
    pairs.push(`refresh_cookie=${percentEncode(genuine.refreshCookie)}`);
  if (layout.withCsrf) pairs.push(`CSRF_token=${enc(csrf)}`);
  if (layout.withSession) pairs.push(`session=${genuine.session}`);
  if (layout.padding) pairs.push(`pad=${'p'.repeat(layout.padding)}`);
  return pairs.join(layout.separator);
}

/** What the kit should make of a Cookie header: the values it reads, checked with the strict MAC. */
export interface CookieVerdict {
  refreshRead: string | undefined;
  /** The refresh cookie's MAC is the canonical one (whatever the JWT inside). */
  refreshSigned: boolean;
  /** The refresh cookie carries the genuine refresh token's bytes under a canonical MAC. */
  refreshGenuine: boolean;
  /** ...and spells them exactly as the server did (no re-encoded base64url). */
  refreshExact: boolean;
  /** The CSRF cookie is exactly the genuine CSRF token under a canonical MAC. */
  csrfGenuine: boolean;
  /** The refresh or the CSRF cookie's name occurs twice: refresh and log-off refuse with 401. */
  duplicated: boolean;
}

/** Judges a Cookie header the way the contract describes it (first occurrence of a name wins, as in the `cookie` package). */
export function judgeCookies(header: string, ctx: CookieContext): CookieVerdict {
  let parsed: Record<string, string | undefined> = {};
  try {
    parsed = parseCookie(header);
  } catch {
    parsed = {};
  }
  const { secret } = ctx.keys;
  const refresh = strictUnsign(secret, ctx.salt, 'refresh_cookie', parsed.refresh_cookie);
  const csrf = strictUnsign(secret, ctx.salt, 'CSRF_token', parsed.CSRF_token);
  return {
    refreshRead: parsed.refresh_cookie,
    refreshSigned: refresh !== null,
    refreshGenuine: refresh !== null && sameTokenBytes(refresh, ctx.genuine.refresh),
    refreshExact: refresh === ctx.genuine.refresh,
    csrfGenuine: csrf === ctx.genuine.csrfToken,
    duplicated: ['refresh_cookie', 'CSRF_token'].some(
      (name) =>
        header
          .split(';')
          .filter((pair) => pair.includes('=') && pair.split('=')[0]!.trim() === name).length > 1,
    ),
  };
}
