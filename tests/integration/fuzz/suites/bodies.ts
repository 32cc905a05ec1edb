import fc from 'fast-check';
import type { KitServer } from '../../../support/kit-servers';
import { contentType, headerText, isJsonType, jsonBody, rawBytes } from '../support/arbitraries';
import {
  ALL_ENDPOINTS,
  checkReply,
  ENDPOINTS,
  violation,
  type Endpoint,
} from '../support/contract';
import type { FuzzRequest } from '../support/http';
import {
  FUZZ_USER,
  fuzzIt,
  fuzzOptions,
  genuineCookieHeader,
  SessionKeeper,
  sendTo,
  type PropertyGroup,
} from '../support/kit';

/** The kit's default body limit (docs/contract.md section 2). */
const MAX_BODY = 16 * 1024;

/** A body: random bytes under any Content-Type, JSON built from the endpoint's fields, JSON under a wrong type, or none. */
function bodyCase(endpoint: Endpoint, real: Record<string, fc.Arbitrary<unknown>[]>) {
  const jsonType = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
  );
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        type: contentType,
        bytes: rawBytes.map((b): Uint8Array | undefined => b),
      }),
    },
    {
      weight: 7,
      arbitrary: fc.record({
        type: jsonType.map((t): string | undefined => t),
        bytes: jsonBody(endpoint.fields, real).map((b): Uint8Array | undefined => b),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: contentType,
        bytes: jsonBody(endpoint.fields, real).map((b): Uint8Array | undefined => b),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: contentType,
        bytes: fc.constantFrom<Uint8Array | undefined>(undefined, new Uint8Array()),
      }),
    },
  );
}

function isJsonText(bytes: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return true;
  } catch {
    return false;
  }
}

/**
 * What the contract fixes about a POST body whatever the endpoint does with it: a non-empty body
 * that is not application/json is 415 (every POST: "refused with 415 before anything else is
 * read"); for the endpoints that take JSON members, a body over the limit is 413 and bytes that
 * are not UTF-8 JSON are 400. Null when the body leaves the answer open.
 */
function expectedForBody(
  endpoint: Endpoint,
  type: string | undefined,
  bytes: Uint8Array | undefined,
): number | null {
  if (endpoint.method !== 'POST' || !bytes || bytes.byteLength === 0) return null;
  // A type with tabs or latin1 bytes is left open: whether U+00A0 around it is whitespace is a matter of taste.
  if (type !== undefined && /[^\x20-\x7e]/.test(type)) return null;
  if (!isJsonType(type)) return 415;
  if (!endpoint.fields.length) return null;
  if (bytes.byteLength > MAX_BODY) return 413;
  return isJsonText(bytes) ? null : 400;
}

/**
 * Counterexamples the fuzzer found, replayed first on every run (a regression check once fixed):
 * a username ending in a lone low surrogate after a two-byte character made PGlite's wire
 * serializer miscount the UTF-8 length (500 on sign-in).
 */
const KNOWN_COUNTEREXAMPLES: Record<
  string,
  [
    { type: string | undefined; bytes: Uint8Array | undefined },
    'none' | 'genuine',
    string | undefined,
  ][]
> = {
  'sign-in': [
    [
      {
        type: 'application/json',
        bytes: new Uint8Array(
          Buffer.from(
            '{"username":"\u00a0\\udc00","password":"ffffffff-ffff-ffff-ffff-ffffffffffff"}',
          ),
        ),
      },
      'none',
      undefined,
    ],
  ],
};

/** The random-body properties, one per endpoint. */
export const bodyProperties: PropertyGroup = (getKit, backend) => {
  let sessions: SessionKeeper | null = null;
  const keeper = {
    get: (kit: KitServer) => (sessions ??= new SessionKeeper(kit)).get(),
    renew: (kit: KitServer) => (sessions ??= new SessionKeeper(kit)).renew(),
  };
  const fuzz = (name: string, perCaseMs: number, body: (kit: KitServer) => Promise<void>) =>
    fuzzIt(getKit, backend, name, perCaseMs, body);

  /** Real values the JSON fields take now and then, so that the deeper paths run too. */
  const realValues = (): Record<string, fc.Arbitrary<unknown>[]> => ({
    username: [fc.constantFrom(FUZZ_USER.username, 'Fuzz', 'fuzz ', ' fuzz', 'fuzz\u0000')],
    password: [
      fc.constantFrom(
        FUZZ_USER.password,
        FUZZ_USER.password,
        'fuzz-password-1 ',
        'FUZZ-PASSWORD-1',
      ),
    ],
    CSRF_token: [fc.constant('<genuine-csrf>')],
    token: [fc.constantFrom('<genuine-access>', '<genuine-refresh>')],
  });

  /** Swaps the placeholders for the current session's values (kept out of the arbitraries: sessions change). */
  async function realize(
    kit: KitServer,
    bytes: Uint8Array | undefined,
  ): Promise<Uint8Array | undefined> {
    if (!bytes) return bytes;
    const text = Buffer.from(bytes).toString('latin1');
    if (!text.includes('<genuine-')) return bytes;
    const { genuine } = await keeper.get(kit);
    const swapped = text
      .replaceAll('<genuine-csrf>', genuine.csrfToken)
      .replaceAll('<genuine-access>', genuine.access)
      .replaceAll('<genuine-refresh>', genuine.refresh);
    return new Uint8Array(Buffer.from(swapped, 'latin1'));
  }

  const property = (endpoint: Endpoint, perCaseMs: number) =>
    fuzz(
      `${endpoint.name}: random bytes and JSON never cause a 5xx or issue anything`,
      perCaseMs,
      async (kit) => {
        // logoff-all with a genuine token would revoke the session the other cases use; it gets noise instead.
        const credentials =
          endpoint === ENDPOINTS.logoffAll
            ? fc.constant('none' as const)
            : fc.constantFrom('none' as const, 'genuine' as const);
        await fc.assert(
          fc.asyncProperty(
            bodyCase(endpoint, realValues()),
            credentials,
            fc.option(headerText(100), { nil: undefined }),
            async ({ type, bytes }, auth, noise) => {
              const headers: Record<string, string> = {};
              if (type !== undefined) headers['content-type'] = type;
              let sentGenuine = false;
              if (
                auth === 'genuine' &&
                (endpoint.bearer || endpoint === ENDPOINTS.refresh || endpoint === ENDPOINTS.logoff)
              ) {
                const { genuine } = await keeper.get(kit);
                if (endpoint.bearer) headers.authorization = `Bearer ${genuine.access}`;
                else headers.cookie = genuineCookieHeader(genuine);
                sentGenuine = true;
              } else if (noise !== undefined) {
                headers[endpoint.bearer ? 'authorization' : 'cookie'] = noise;
              }
              const body = await realize(kit, bytes);
              const request: FuzzRequest = {
                method: endpoint.method,
                path: endpoint.path,
                headers,
                body,
              };
              const reply = await sendTo(kit, request);
              try {
                checkReply(endpoint, request, reply);
                const expected = expectedForBody(endpoint, type, body);
                if (expected !== null && reply.status !== expected)
                  violation(`expected ${expected} for this body`, request, reply);
              } finally {
                // A refresh rotated the session and a log-off ended it: continue from a fresh one.
                if (
                  sentGenuine &&
                  reply.status === 200 &&
                  (endpoint === ENDPOINTS.refresh || endpoint === ENDPOINTS.logoff)
                )
                  await keeper.renew(kit);
              }
            },
          ),
          { ...fuzzOptions(), examples: KNOWN_COUNTEREXAMPLES[endpoint.name] ?? [] },
        );
      },
    );

  for (const endpoint of ALL_ENDPOINTS) property(endpoint, endpoint === ENDPOINTS.signIn ? 80 : 40);
};
