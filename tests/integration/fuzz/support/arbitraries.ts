import { METHODS } from 'node:http';
import fc from 'fast-check';

/**
 * Input generators shared by the fuzz suites: header text, media types, raw and JSON bodies,
 * hostile field values, methods, origins and cookie headers.
 */

/** One UTF-16 code unit, lone surrogates and NUL included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Strings of every kind: full Unicode, raw code units (lone surrogates, NUL), ASCII. */
export const anyString = (maxLength = 200) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: codeUnit, maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
    fc.string({ maxLength }),
  );

/** A character a header value may carry on the wire (HTAB, visible ASCII, space, obs-text). */
export const headerChar = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((n) => String.fromCharCode(n)) },
  { weight: 1, arbitrary: fc.constant('\t') },
);

/** A header value (node:http refuses NUL, CR and LF; everything else goes out as latin1). */
export const headerText = (maxLength = 120) => fc.string({ unit: headerChar, maxLength });

/** A Content-Type: absent, JSON in its spellings, other types, or noise. */
export const contentType = fc.option(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'Application/Json;charset=latin1',
        ' application/json ',
        'application/json;;;',
        'application/json; boundary=x',
      ),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=----fuzz',
        'application/problem+json',
        'application/jsonx',
        'application/json, text/plain',
        'json',
        '*/*',
        '',
      ),
    },
    { weight: 2, arbitrary: headerText(80) },
  ),
  { nil: undefined, freq: 5 },
);

/** Whether the kit must treat `type` as JSON (its essence, case-insensitive, is application/json; HTTP whitespace only). */
export function isJsonType(type: string | undefined): boolean {
  return (
    type
      ?.split(';')[0]
      ?.replace(/^[ \t]+|[ \t]+$/g, '')
      .toLowerCase() === 'application/json'
  );
}

/** Raw bytes: mostly small, sometimes a few KiB, now and then past the 16 KiB limit. */
export const rawBytes = fc.oneof(
  // Cross-shrinking lets a failing big body shrink into the small branch (a readable counterexample).
  { withCrossShrink: true },
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 512, maxLength: 6000 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 16_000, max: 20_000 })
      .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  },
);

/** Byte edits that break a text: invalid UTF-8 sequences, NUL, truncation, stray bytes. */
const BAD_UTF8 = [
  [0xc0],
  [0xff],
  [0xfe, 0xff],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x00],
  [0xef, 0xbb, 0xbf],
  [0xc2],
];
export const byteEdit = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom(...BAD_UTF8),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
    ),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), keep: fc.nat() }),
);
export type ByteEdit = typeof byteEdit extends fc.Arbitrary<infer T> ? T : never;

/** Applies byte edits (positions wrap around the current length). */
export function editBytes(bytes: Uint8Array, edits: ByteEdit[]): Uint8Array {
  let out = [...bytes];
  for (const edit of edits) {
    const at = edit.op === 'truncate' ? 0 : edit.at % (out.length + 1);
    if (edit.op === 'insert') out.splice(at, 0, ...edit.bytes);
    else if (edit.op === 'delete') out.splice(at, edit.count);
    else out = out.slice(0, edit.keep % (out.length + 1));
  }
  return new Uint8Array(out);
}

/** Deeply nested JSON that stays under the body limit. */
export const deepJson = fc
  .record({
    depth: fc.integer({ min: 1, max: 5000 }),
    kind: fc.constantFrom('array', 'object', 'field'),
  })
  .map(({ depth, kind }) => {
    if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
    if (kind === 'object')
      return '{"a":'.repeat(Math.min(depth, 3000)) + '1' + '}'.repeat(Math.min(depth, 3000));
    return `{"username":${'['.repeat(depth)}${']'.repeat(depth)},"password":"x"}`;
  });

/** A long string of one repeated unit: big ASCII, NUL, lone surrogates, astral characters. */
export const hugeString = fc
  .record({
    unit: fc.constantFrom('a', '\u0000', 'é', '\ud800', '\udfff', '😀', '"', '\\', ' ', '.', '='),
    size: fc.integer({ min: 100, max: 9000 }),
  })
  .map(({ unit, size }) => unit.repeat(size));

/** Edge values the schemas have limits or special cases for. */
const edgeStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udc00x',
  '\uffff',
  '\u202e',
  '\r\n',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '__proto__',
  'constructor',
  'a'.repeat(150),
  'a'.repeat(151),
  'a'.repeat(512),
  'a'.repeat(513),
  'a'.repeat(4096),
  'a'.repeat(4097),
  'a'.repeat(8192),
  'a'.repeat(8193),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  "' OR 1=1 --",
  '%00',
  '${jndi:ldap://x}',
  'eyJhbGciOiJub25lIn0.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.',
  'a.b.c',
  '...',
);

/** A value for one JSON member: any JSON, hostile strings, numbers at the edges, or a given real value. */
export function fieldValue(real: fc.Arbitrary<unknown>[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }) },
    { weight: 4, arbitrary: anyString(300) },
    { weight: 3, arbitrary: edgeStrings },
    { weight: 1, arbitrary: hugeString },
    { weight: 1, arbitrary: fc.uuid() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        0,
        -0,
        1e308,
        -1e308,
        Number.MAX_SAFE_INTEGER + 2,
        1.5,
        null,
        true,
        false,
        [],
        {},
      ),
    },
    ...real.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}

/** A member name: the endpoint's own, prototype-polluting names, or anything. */
const memberName = (fields: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'username',
      'password',
      'token',
      'CSRF_token',
      'sid',
      'id_token',
      'access_token',
      ...fields,
    ),
    anyString(20),
  );

/**
 * A JSON request body for an endpoint that reads `fields`: an object in which each field is
 * absent or any value (`real` values now and then), plus extra members; or a non-object JSON.
 * Rendered to text here so that a `__proto__` member really is sent as a member.
 */
export function jsonBodyText(
  fields: readonly string[],
  real: Record<string, fc.Arbitrary<unknown>[]> = {},
): fc.Arbitrary<string> {
  const fieldArbs = fields.map((field) =>
    fc
      .option(fieldValue(real[field] ?? []), { nil: undefined, freq: 6 })
      .map((value) => [field, value] as const),
  );
  const object = fc
    .tuple(
      fc.tuple(...fieldArbs),
      fc.array(fc.tuple(memberName(fields), fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' })), {
        maxLength: 3,
      }),
      fc.boolean(),
    )
    .map(([own, extra, extraFirst]) => {
      const members = own.filter(([, value]) => value !== undefined) as [string, unknown][];
      const all = extraFirst ? [...extra, ...members] : [...members, ...extra];
      return `{${all.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
    });
  return fc.oneof(
    { weight: 8, arbitrary: object },
    { weight: 2, arbitrary: fc.json({ maxDepth: 5, stringUnit: 'binary' }) },
    { weight: 1, arbitrary: deepJson },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'null',
        '[]',
        '{}',
        '""',
        '0',
        'true',
        '[{}]',
        '{"__proto__":{"CSRF_token":"x","username":"fuzz","password":"fuzz-password-1"}}',
        ' {} ',
        '\ufeff{}',
        '{}{}',
        '{"a":1,"a":2}',
      ),
    },
  );
}

/** A JSON body as bytes, sometimes with broken bytes, sometimes with a JSON-ish Content-Type variation. */
export function jsonBody(
  fields: readonly string[],
  real: Record<string, fc.Arbitrary<unknown>[]> = {},
) {
  return fc
    .record({
      text: jsonBodyText(fields, real),
      edits: fc.oneof(
        { weight: 6, arbitrary: fc.constant([] as ByteEdit[]) },
        { weight: 1, arbitrary: fc.array(byteEdit, { minLength: 1, maxLength: 3 }) },
      ),
    })
    .map(({ text, edits }) => editBytes(new Uint8Array(Buffer.from(text, 'utf8')), edits));
}

/** The methods a route handler can receive. */
export const STANDARD_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
] as const;

/**
 * The other methods Node's HTTP parser accepts and passes to Next.js (WebDAV, QUERY, ...).
 * CONNECT is left out (Node hands it to a `connect` listener, never to the app: the socket just
 * closes) and TRACE has its own test (see methods.test.ts).
 */
export const EXTENSION_METHODS = METHODS.filter(
  (m) => !(STANDARD_METHODS as readonly string[]).includes(m) && m !== 'CONNECT' && m !== 'TRACE',
);

/** An Origin header: absent, the app's own (in spellings), `null`, other origins, or noise. */
export function originHeader(own: string): fc.Arbitrary<string | undefined> {
  const url = new URL(own);
  return fc.option(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(own) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          'null',
          `${own}/`,
          `${own}/auth/sign-in/`,
          own.toUpperCase(),
          `https://${url.host}`,
          `http://${url.hostname}:${Number(url.port) + 1}`,
          `http://${url.hostname}`,
          `http://localhost:${url.port}`,
          `http://evil.example`,
          `http://${url.host}.evil.example`,
          `http://evil.example/${url.host}`,
          `http://user:pass@${url.host}`,
          `http://${url.hostname}:${url.port}@evil.example`,
          'file://',
          '',
          ' ',
        ),
      },
      { weight: 2, arbitrary: fc.webUrl() },
      { weight: 2, arbitrary: headerText(60) },
    ),
    { nil: undefined, freq: 3 },
  );
}

/** A Sec-Fetch-Site header. */
export const secFetchSite = fc.option(
  fc.oneof(
    fc.constantFrom(
      'same-origin',
      'same-site',
      'none',
      'cross-site',
      'CROSS-SITE',
      ' cross-site',
      'cross-site, same-origin',
    ),
    headerText(20),
  ),
  { nil: undefined, freq: 3 },
);

/**
 * What the contract says about cross-site requests, written down independently of the kit: an
 * Origin that is present and is not the app's own origin (scheme, host and port; `null` and
 * unparsable values included), or Sec-Fetch-Site `cross-site`. Values are compared as the
 * server receives them (Node trims spaces and tabs around them). When the request carries its
 * own X-Forwarded-Proto the app's scheme is whatever that says, so only the host is compared.
 */
export function isCrossSite(
  own: URL,
  origin: string | undefined,
  site: string | undefined,
  forwardedProto: boolean,
): boolean {
  const ows = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (site !== undefined && ows(site) === 'cross-site') return true;
  if (origin === undefined) return false;
  try {
    const url = new URL(ows(origin));
    return url.host !== own.host || (!forwardedProto && url.protocol !== own.protocol);
  } catch {
    return true;
  }
}

/** A cookie name=value pair: auth cookie names (duplicates), other names, or noise. */
export const cookiePair = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'refresh_cookie',
        'CSRF_token',
        'session',
        'Refresh_Cookie',
        'refresh_cookie ',
        ' refresh_cookie',
        'csrf_token',
        '__Host-x',
        'a',
      ),
      headerText(100),
    )
    .map(([n, v]) => `${n}=${v.replace(/;/g, '')}`),
  headerText(60),
);

/** A whole Cookie header: random pairs and separators, sometimes padded towards ~8 KiB. */
export const cookieHeader = fc
  .record({
    pairs: fc.array(cookiePair, { maxLength: 8 }),
    separator: fc.constantFrom('; ', ';', ' ; ', ';;', ', '),
    padding: fc.option(fc.integer({ min: 1000, max: 7800 }), { nil: undefined, freq: 6 }),
  })
  .map(({ pairs, separator, padding }) => {
    const all = padding ? [...pairs, `pad=${'p'.repeat(padding)}`] : pairs;
    return all.join(separator).slice(0, 8000);
  });

/** Random extra request headers that should change nothing. */
export const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'accept',
    'accept-language',
    'x-forwarded-proto',
    'x-real-ip',
    'x-csrf-token',
    'x-requested-with',
    'if-none-match',
    'range',
    'content-encoding',
    'accept-encoding',
    'x-http-method-override',
    'x-fuzz',
  ),
  headerText(80),
  { maxKeys: 3 },
);
