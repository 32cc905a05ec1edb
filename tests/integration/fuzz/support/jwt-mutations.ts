import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import fc from 'fast-check';
import { anyString, codeUnit } from './arbitraries';

/**
 * Mutations of real tokens. A recipe is plain data (so fast-check can shrink and print it) that
 * is applied at run time to whatever genuine tokens the suite currently holds.
 */

/** The genuine tokens a recipe starts from. */
export interface GenuineTokens {
  access: string;
  refresh: string;
  session: string;
}
export type Base = keyof GenuineTokens;

/** Keys to re-sign with: the kit's secret and private key (only ever with an invalidating patch) and an attacker's. */
export interface SigningMaterial {
  secret: string;
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  publicPem: string;
  attacker: KeyObject;
  attackerJwk: Record<string, unknown>;
}

/** Reads the kit's keys from the environment the test server was started with. */
export function signingMaterial(env: Record<string, string>): SigningMaterial {
  const { keys } = JSON.parse(env.AUTH_SIGNING_KEYS ?? '{"keys":[]}') as {
    keys: Record<string, unknown>[];
  };
  const jwk = keys[0];
  if (!jwk) throw new Error('the fuzz suites expect an asymmetric AUTH_SIGNING_KEYS');
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return {
    secret: env.AUTH_SECRET ?? '',
    kid: String(jwk.kid),
    privateKey,
    publicJwk: {
      ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
      kid: jwk.kid,
      alg: jwk.alg,
      use: 'sig',
    },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    attacker,
    attackerJwk: createPublicKey(attacker).export({ format: 'jwk' }) as Record<string, unknown>,
  };
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const fromB64 = (segment: string) => Buffer.from(segment, 'base64url');

/** How a re-encoded token is signed. */
export type SignatureChoice =
  | 'keep'
  | 'empty'
  | 'drop'
  | 'random'
  | 'hs-secret'
  | 'hs-jwk'
  | 'hs-pem'
  | 'hs-x'
  | 'attacker'
  | 'attacker-embedded';

function es256(key: KeyObject, data: string): string {
  return b64(sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }));
}

function signed(
  header: Record<string, unknown>,
  payloadSegment: string,
  oldSignature: string,
  choice: SignatureChoice | 'real',
  keys: SigningMaterial,
): string {
  const h = { ...header };
  if (choice === 'attacker-embedded') h.jwk = keys.attackerJwk;
  const input = `${b64(JSON.stringify(h))}.${payloadSegment}`;
  const hmac = (key: string | Buffer) => b64(createHmac('sha256', key).update(input).digest());
  switch (choice) {
    case 'keep':
      return `${input}.${oldSignature}`;
    case 'empty':
      return `${input}.`;
    case 'drop':
      return input;
    case 'random':
      return `${input}.${b64(createHmac('sha256', 'noise').update(input).digest())}`;
    case 'hs-secret':
      return `${input}.${hmac(keys.secret)}`;
    case 'hs-jwk':
      return `${input}.${hmac(JSON.stringify(keys.publicJwk))}`;
    case 'hs-pem':
      return `${input}.${hmac(keys.publicPem)}`;
    case 'hs-x':
      return `${input}.${hmac(fromB64(String(keys.publicJwk.x)))}`;
    case 'attacker':
    case 'attacker-embedded':
      return `${input}.${es256(keys.attacker, input)}`;
    case 'real':
      return `${input}.${es256(keys.privateKey, input)}`;
  }
}

/** One character-level edit; positions wrap around the current length. */
export type CharEdit =
  | { op: 'flip'; at: number; ch: string }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; keep: number };

const tokenChar = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', ':', '%', '\u0000', '"', ';', ','),
  },
  { weight: 1, arbitrary: codeUnit },
);

export const charEdit: fc.Arbitrary<CharEdit> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), ch: tokenChar }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ unit: tokenChar, minLength: 1, maxLength: 6 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), keep: fc.nat() }),
);

/** Applies character edits to a string. */
export function editChars(text: string, edits: CharEdit[]): string {
  let out = text;
  for (const edit of edits) {
    if (edit.op === 'truncate') {
      out = out.slice(0, edit.keep % (out.length + 1));
      continue;
    }
    const at = edit.at % (out.length + 1);
    if (edit.op === 'flip') out = out.slice(0, at) + edit.ch + out.slice(at + 1);
    else if (edit.op === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
    else out = out.slice(0, at) + out.slice(at + edit.count);
  }
  return out;
}

/** A patch that makes a token invalid although the kit's own key signs it (each one a rule of docs/contract.md section 4). */
interface Forgery {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  removeHeader?: string[];
  removeClaims?: string[];
}

const PAST = 1_000_000_000;
const FUTURE = 4_000_000_000;
const COMMON_FORGERIES: Forgery[] = [
  { header: { alg: 'none' } },
  { header: { alg: 'HS256' } },
  { header: { alg: 'ES384' } },
  { header: { alg: 'RS256' } },
  { header: { alg: 'EdDSA' } },
  { header: { alg: 'es256' } },
  { header: { alg: '' } },
  { header: { alg: null } },
  { removeHeader: ['alg'] },
  { header: { kid: 'not-a-kid' } },
  { header: { kid: 42 } },
  { header: { kid: null } },
  { removeHeader: ['kid'] },
  { header: { jku: 'http://127.0.0.1:9/jwks.json' } },
  { header: { x5u: 'http://127.0.0.1:9/cert.pem' } },
  { header: { x5c: ['MIIB'] } },
  { header: { crit: ['exp'] } },
  { header: { crit: [] } },
  { header: { crit: ['b64'], b64: false } },
  { removeClaims: ['token_type'] },
  { claims: { token_type: 'ACCESS' } },
  { claims: { token_type: null } },
  { claims: { user_id: '1' } },
  { claims: { user_id: 1.5 } },
  { claims: { user_id: null } },
  { removeClaims: ['user_id'] },
  { claims: { sub: '01' } },
  { claims: { sub: 1 } },
  { removeClaims: ['sub'] },
  { removeClaims: ['jti'] },
  { claims: { jti: 123 } },
  { removeClaims: ['exp'] },
  { claims: { exp: PAST } },
  { claims: { exp: String(FUTURE) } },
  { claims: { exp: null } },
  { removeClaims: ['iat'] },
  { claims: { iat: 'yesterday' } },
  { claims: { nbf: FUTURE } },
];

/** Forgeries per base token: everything common plus the type confusions of that token. */
const FORGERIES: Record<Base, Forgery[]> = {
  access: [
    ...COMMON_FORGERIES,
    { claims: { token_type: 'refresh' } },
    { header: { typ: 'JWT' } },
    { removeHeader: ['typ'] },
    { header: { typ: 'refresh+jwt' } },
  ],
  refresh: [
    ...COMMON_FORGERIES,
    { claims: { token_type: 'access' } },
    { removeClaims: ['sid'] },
    { claims: { sid: 7 } },
  ],
  session: [
    { claims: { token_type: 'access', user_id: 1, jti: 'x', iat: 1 } },
    { claims: { token_type: 'refresh', user_id: 1, jti: 'x', iat: 1 } },
  ],
};

/** A reference to a segment of one of the genuine tokens, or literal text. */
export type SegmentRef = { base: Base; index: 0 | 1 | 2 } | { text: string };

export type TokenRecipe =
  | { kind: 'chars'; base: Base; segment: 0 | 1 | 2 | null; edits: CharEdit[] }
  | { kind: 'segments'; layout: SegmentRef[]; separator: string }
  | { kind: 'header'; base: Base; set: [string, unknown][]; remove: string[]; sig: SignatureChoice }
  | { kind: 'claims'; base: Base; set: [string, unknown][]; remove: string[]; sig: SignatureChoice }
  | { kind: 'payload'; base: Base; raw: string; sig: SignatureChoice }
  | { kind: 'forged'; base: Base; forgery: number }
  | {
      kind: 'encoding';
      base: Base;
      segment: 0 | 1 | 2;
      variant: Respelling;
      n: number;
    }
  | { kind: 'garbage'; value: string };

const base = fc.constantFrom<Base>('access', 'refresh', 'session');
const segIndex = fc.constantFrom<0 | 1 | 2>(0, 1, 2);
const signatureChoice = fc.constantFrom<SignatureChoice>(
  'keep',
  'empty',
  'drop',
  'random',
  'hs-secret',
  'hs-jwk',
  'hs-pem',
  'hs-x',
  'attacker',
  'attacker-embedded',
);
const headerNames = fc.constantFrom(
  'alg',
  'kid',
  'typ',
  'cty',
  'crit',
  'jku',
  'jwk',
  'x5u',
  'x5c',
  'b64',
  'zip',
  'enc',
  '__proto__',
);
const claimNames = fc.constantFrom(
  'token_type',
  'user_id',
  'sub',
  'jti',
  'sid',
  'iat',
  'exp',
  'nbf',
  'iss',
  'aud',
  'username',
  'is_staff',
  'roles',
  '__proto__',
);
const claimValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }),
  fc.constantFrom(
    'none',
    'HS256',
    'access',
    'refresh',
    0,
    -1,
    1,
    2,
    PAST,
    FUTURE,
    1e300,
    '1',
    '',
    null,
  ),
);

/** Mutations of the genuine tokens `bases` may start from. */
export function tokenRecipe(bases: fc.Arbitrary<Base> = base): fc.Arbitrary<TokenRecipe> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('chars' as const),
        base: bases,
        segment: fc.option(segIndex, { nil: null }),
        edits: fc.array(charEdit, { minLength: 1, maxLength: 4 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('segments' as const),
        layout: fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.record({ base: bases, index: segIndex }) },
            {
              weight: 1,
              arbitrary: fc.record({ text: fc.string({ unit: tokenChar, maxLength: 30 }) }),
            },
          ),
          { maxLength: 5 },
        ),
        separator: fc.constantFrom('.', '.', '.', '..', '', ' ', '%2E'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('header' as const),
        base: bases,
        set: fc.array(fc.tuple(headerNames, claimValue), { maxLength: 3 }),
        remove: fc.array(headerNames, { maxLength: 2 }),
        sig: signatureChoice,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('claims' as const),
        base: bases,
        set: fc.array(fc.tuple(claimNames, claimValue), { maxLength: 3 }),
        remove: fc.array(claimNames, { maxLength: 2 }),
        sig: signatureChoice,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('payload' as const),
        base: bases,
        raw: fc.oneof(fc.json({ maxDepth: 2 }), anyString(60)),
        sig: signatureChoice,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('forged' as const),
        base: bases,
        forgery: fc.nat(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('encoding' as const),
        base: bases,
        segment: segIndex,
        variant: respelling,
        n: fc.nat(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('garbage' as const),
        value: fc.oneof(anyString(100), fc.string({ unit: tokenChar, maxLength: 400 })),
      }),
    },
  );
}

function decodeJson(segment: string): Record<string, unknown> {
  try {
    const value = JSON.parse(fromB64(segment).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function patch(
  object: Record<string, unknown>,
  set: [string, unknown][],
  remove: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...object };
  for (const name of remove) delete out[name];
  for (const [name, value] of set)
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The non-canonical base64url spellings reencode() produces. */
export type Respelling = 'pad' | 'lastBits' | 'stdAlphabet' | 'whitespace';
export const respelling: fc.Arbitrary<Respelling> = fc.constantFrom(
  'pad',
  'lastBits',
  'stdAlphabet',
  'whitespace',
);

/** Non-canonical spellings of the same bytes (trailing bits, padding, the +/ alphabet, whitespace). */
function reencode(segment: string, variant: Respelling, n: number): string {
  if (variant === 'pad') return segment + '='.repeat(1 + (n % 2));
  if (variant === 'stdAlphabet') return segment.replace(/-/g, '+').replace(/_/g, '/');
  if (variant === 'whitespace')
    return `${segment.slice(0, n % (segment.length + 1))} ${segment.slice(n % (segment.length + 1))}`;
  const unused = segment.length % 4 === 2 ? 4 : segment.length % 4 === 3 ? 2 : 0;
  if (!unused || !segment) return segment;
  const last = ALPHABET.indexOf(segment.at(-1)!);
  const bits = (n % ((1 << unused) - 1)) + 1;
  return segment.slice(0, -1) + ALPHABET[(last & ~((1 << unused) - 1)) | bits];
}

/** Applies a recipe to the genuine tokens. */
export function applyTokenRecipe(
  recipe: TokenRecipe,
  genuine: GenuineTokens,
  keys: SigningMaterial,
): string {
  if (recipe.kind === 'garbage') return recipe.value;
  if (recipe.kind === 'segments') {
    return recipe.layout
      .map((ref) => ('text' in ref ? ref.text : (genuine[ref.base].split('.')[ref.index] ?? '')))
      .join(recipe.separator);
  }
  const token = genuine[recipe.base];
  const [h = '', p = '', s = ''] = token.split('.');
  switch (recipe.kind) {
    case 'chars': {
      if (recipe.segment === null) return editChars(token, recipe.edits);
      const parts = [h, p, s];
      parts[recipe.segment] = editChars(parts[recipe.segment]!, recipe.edits);
      return parts.join('.');
    }
    case 'header':
      return signed(patch(decodeJson(h), recipe.set, recipe.remove), p, s, recipe.sig, keys);
    case 'claims':
      return signed(
        decodeJson(h),
        b64(JSON.stringify(patch(decodeJson(p), recipe.set, recipe.remove))),
        s,
        recipe.sig,
        keys,
      );
    case 'payload':
      return signed(decodeJson(h), b64(recipe.raw), s, recipe.sig, keys);
    case 'forged': {
      const list = FORGERIES[recipe.base];
      const forgery = list[recipe.forgery % list.length]!;
      const header = patch(
        decodeJson(h),
        Object.entries(forgery.header ?? {}),
        forgery.removeHeader ?? [],
      );
      const claims = patch(
        decodeJson(p),
        Object.entries(forgery.claims ?? {}),
        forgery.removeClaims ?? [],
      );
      return signed(header, b64(JSON.stringify(claims)), s, 'real', keys);
    }
    case 'encoding': {
      const parts = [h, p, s];
      parts[recipe.segment] = reencode(parts[recipe.segment]!, recipe.variant, recipe.n);
      return parts.join('.');
    }
  }
}

/** The token's bytes, segment by segment, decoded leniently and re-encoded canonically. */
function canonical(token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  return parts.map((part) => fromB64(part).toString('base64url')).join('.');
}

/**
 * Whether `token` carries exactly the bytes of `genuine` (only its base64url spelling differs):
 * the only mutations a verifier may accept. Decoding is as lenient as Node's (stray characters
 * and padding ignored), so the oracle never blames the kit for accepting the same bytes; a
 * mutation that changes the bytes and is still accepted is a finding.
 */
export function sameTokenBytes(token: string, genuine: string): boolean {
  const a = canonical(token);
  return a !== null && a === canonical(genuine);
}
