import fc from 'fast-check';
import {
  cookieHeader,
  extraHeaders,
  headerText,
  isCrossSite,
  jsonBody,
  originHeader,
  secFetchSite,
} from '../support/arbitraries';
import {
  ALL_ENDPOINTS,
  checkReply,
  ENDPOINTS,
  violation,
  type Endpoint,
} from '../support/contract';
import type { FuzzRequest, Reply } from '../support/http';
import { FUZZ_USER, fuzzIt, fuzzOptions, sendTo, type PropertyGroup } from '../support/kit';

/** An Authorization header that is never a valid token of the kit. */
const noiseAuthorization = fc.oneof(
  headerText(200),
  fc
    .string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
      maxLength: 600,
    })
    .map((t) => `Bearer ${t}`),
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'bearer x.y.z',
    'Basic Zm9vOmJhcg==',
    'Bearer eyJhbGciOiJub25lIn0.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwidXNlcl9pZCI6MSwic3ViIjoiMSJ9.',
    'Negotiate',
    'Bearer a'.repeat(900),
  ),
);

/** A request with random methods and headers; the body is JSON (or absent), so that only the headers vary. */
export function headerCase(endpoint: Endpoint, own: string, methods: fc.Arbitrary<string>) {
  const credentials = fc
    .constant(JSON.stringify(FUZZ_USER))
    .map((t) => new Uint8Array(Buffer.from(t)));
  const body =
    endpoint === ENDPOINTS.signIn
      ? fc.oneof(credentials, jsonBody(endpoint.fields))
      : jsonBody(endpoint.fields);
  return fc.record({
    method: methods,
    origin: originHeader(own),
    site: secFetchSite,
    cookie: fc.option(cookieHeader, { nil: undefined }),
    authorization: fc.option(noiseAuthorization, { nil: undefined }),
    csrf: fc.option(headerText(80), { nil: undefined }),
    extra: extraHeaders,
    body: fc.option(body, { nil: undefined, freq: 4 }),
  });
}
export type HeaderCase = typeof headerCase extends (...args: never[]) => fc.Arbitrary<infer T>
  ? T
  : never;

/** Builds the request of a header case. */
export function headerRequest(endpoint: Endpoint, c: HeaderCase): FuzzRequest {
  const headers: Record<string, string> = { ...c.extra };
  if (c.origin !== undefined) headers.origin = c.origin;
  if (c.site !== undefined) headers['sec-fetch-site'] = c.site;
  if (c.cookie !== undefined) headers.cookie = c.cookie;
  if (c.authorization !== undefined) headers.authorization = c.authorization;
  if (c.csrf !== undefined) headers['x-csrf-token'] = c.csrf;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  return { method: c.method, path: endpoint.path, headers, body: c.body };
}

/** The methods an endpoint accepts (GET endpoints answer HEAD too). */
export const allowedMethods = (endpoint: Endpoint) =>
  endpoint.method === 'GET' ? ['GET', 'HEAD'] : ['POST'];

/**
 * The oracle of a header case beyond the shared invariants: a method other than the documented
 * one is 405 `method_not_allowed` with an Allow header naming it; a cross-site POST to a
 * same-site-only endpoint is 403 `csrf_failed`; without genuine credentials, no refresh and no
 * Bearer endpoint answers 200.
 */
export function checkHeaderCase(
  endpoint: Endpoint,
  own: URL,
  c: HeaderCase,
  request: FuzzRequest,
  reply: Reply,
): void {
  const allowed = allowedMethods(endpoint);
  if (!allowed.includes(c.method)) {
    if (reply.status !== 405)
      violation(
        `${c.method} is not ${allowed.join('/')}: expected 405 method_not_allowed`,
        request,
        reply,
      );
    const allow = String(reply.headers.allow ?? '');
    if (!allowed.every((m) => allow.includes(m)))
      violation(
        `Allow header ${JSON.stringify(allow)} does not name ${allowed.join(', ')}`,
        request,
        reply,
      );
    return;
  }
  if (
    endpoint.sameSiteOnly &&
    isCrossSite(own, c.origin, c.site, 'x-forwarded-proto' in c.extra) &&
    reply.status !== 403
  )
    violation(
      'a cross-site request to a same-site-only endpoint was not refused with 403',
      request,
      reply,
    );
  if ((endpoint === ENDPOINTS.refresh || endpoint.bearer) && reply.status === 200)
    violation(`${endpoint.name} answered 200 without genuine credentials`, request, reply);
}

/** The random-method-and-header properties, one per endpoint. */
export const headerProperties: PropertyGroup = (getKit, backend) => {
  for (const endpoint of ALL_ENDPOINTS) {
    const methods = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...allowedMethods(endpoint)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      },
    );
    fuzzIt(
      getKit,
      backend,
      `${endpoint.name}: random methods, cookies, Authorization, Origin and Sec-Fetch-Site`,
      endpoint === ENDPOINTS.signIn ? 80 : 40,
      async (server) => {
        const own = new URL(server.url);
        await fc.assert(
          fc.asyncProperty(headerCase(endpoint, server.url, methods), async (c) => {
            const request = headerRequest(endpoint, c);
            const reply = await sendTo(server, request);
            checkReply(endpoint, request, reply);
            checkHeaderCase(endpoint, own, c, request, reply);
          }),
          fuzzOptions(),
        );
      },
    );
  }
};
