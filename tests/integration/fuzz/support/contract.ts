import { parseSetCookie } from 'cookie';
import { describeReply, describeRequest, type FuzzRequest, type Reply } from './http';

/** One endpoint of docs/contract.md section 2, with what the oracles need to know about it. */
export interface Endpoint {
  name: string;
  path: string;
  method: 'GET' | 'POST';
  /** Sign-in, refresh and social exchange answer 200 with tokens and cookies. */
  issues: boolean;
  /** Refuses cross-site requests (Origin / Sec-Fetch-Site) with 403 csrf_failed. */
  sameSiteOnly: boolean;
  /** Needs `Authorization: Bearer <access token>`. */
  bearer: boolean;
  /** The JSON members the endpoint reads. */
  fields: string[];
}

export const ENDPOINTS = {
  signIn: {
    name: 'sign-in',
    path: '/auth/sign-in/',
    method: 'POST',
    issues: true,
    sameSiteOnly: true,
    bearer: false,
    fields: ['username', 'password'],
  },
  refresh: {
    name: 'refresh',
    path: '/auth/refresh/',
    method: 'POST',
    issues: true,
    sameSiteOnly: true,
    bearer: false,
    fields: ['CSRF_token'],
  },
  logoff: {
    name: 'logoff',
    path: '/auth/logoff/',
    method: 'POST',
    issues: false,
    sameSiteOnly: true,
    bearer: false,
    fields: ['CSRF_token'],
  },
  verify: {
    name: 'verify',
    path: '/auth/verify/',
    method: 'POST',
    issues: false,
    sameSiteOnly: false,
    bearer: false,
    fields: ['token'],
  },
  socialExchange: {
    name: 'social-exchange',
    path: '/auth/social-exchange/',
    method: 'POST',
    issues: true,
    sameSiteOnly: true,
    bearer: false,
    fields: ['id_token', 'access_token'],
  },
  revoke: {
    name: 'sessions/revoke',
    path: '/auth/sessions/revoke/',
    method: 'POST',
    issues: false,
    sameSiteOnly: false,
    bearer: true,
    fields: ['sid'],
  },
  logoffAll: {
    name: 'logoff-all',
    path: '/auth/logoff-all/',
    method: 'POST',
    issues: false,
    sameSiteOnly: true,
    bearer: true,
    fields: [],
  },
  sessions: {
    name: 'sessions',
    path: '/auth/sessions/',
    method: 'GET',
    issues: false,
    sameSiteOnly: false,
    bearer: true,
    fields: [],
  },
  jwks: {
    name: 'jwks',
    path: '/.well-known/jwks.json',
    method: 'GET',
    issues: false,
    sameSiteOnly: false,
    bearer: false,
    fields: [],
  },
} as const satisfies Record<string, Endpoint>;

export const ALL_ENDPOINTS: Endpoint[] = Object.values(ENDPOINTS);
export const POST_ENDPOINTS: Endpoint[] = ALL_ENDPOINTS.filter((e) => e.method === 'POST');

/** The error codes of docs/contract.md section 2 and their statuses. */
export const CONTRACT_CODES: Record<string, number> = {
  invalid_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  authentication_failed: 401,
  token_not_valid: 401,
  csrf_failed: 403,
  email_not_verified: 403,
  not_found: 404,
  method_not_allowed: 405,
  throttled: 429,
  service_unavailable: 503,
};

export const AUTH_COOKIES = ['refresh_cookie', 'CSRF_token', 'session'];

/** A contract violation found by a fuzz case: the message carries the request and the answer. */
export class Violation extends Error {
  override name = 'Violation';
}

/** Throws a Violation describing `request` and `reply`. */
export function violation(what: string, request: FuzzRequest, reply: Reply): never {
  throw new Violation(
    `${what}\n  request: ${describeRequest(request)}\n  answer: ${describeReply(reply)}`,
  );
}

/** The auth cookies an answer sets to a non-empty, unexpired value (clearing is not issuing). */
export function issuedCookies(reply: Reply): string[] {
  const issued: string[] = [];
  for (const header of reply.setCookies) {
    const cookie = parseSetCookie(header);
    if (!AUTH_COOKIES.includes(cookie.name)) continue;
    const expired =
      (cookie.expires && cookie.expires.getTime() <= Date.now()) ||
      (cookie.maxAge !== undefined && cookie.maxAge <= 0);
    if (cookie.value && !expired) issued.push(cookie.name);
  }
  return issued;
}

/** A stack frame (raw or JSON-escaped newline, four spaces, `at`); error bodies may not say `Error:` either. */
const STACK_FRAME = /(\n|\\n)\s{4}at /;
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./;

function parseErrorBody(request: FuzzRequest, reply: Reply): Record<string, unknown> {
  const type = String(reply.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('application/json'))
    violation(
      `a ${reply.status} without a JSON body (Content-Type ${JSON.stringify(type)})`,
      request,
      reply,
    );
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    violation(`a ${reply.status} whose body is not JSON`, request, reply);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    violation('an error body that is not a JSON object', request, reply);
  return body as Record<string, unknown>;
}

function checkErrorBody(endpoint: Endpoint, request: FuzzRequest, reply: Reply): void {
  const body = parseErrorBody(request, reply);
  const extra = Object.keys(body).filter((key) => !['detail', 'code', 'errors'].includes(key));
  if (extra.length)
    violation(
      `error body with members beyond detail/code/errors: ${extra.join(', ')}`,
      request,
      reply,
    );
  if (typeof body.detail !== 'string' || !body.detail)
    violation('error body without a string `detail`', request, reply);
  if (typeof body.code !== 'string')
    violation('error body without a string `code`', request, reply);
  const status = CONTRACT_CODES[body.code];
  if (status === undefined)
    violation(
      `error code ${JSON.stringify(body.code)} is not one of the contract's codes`,
      request,
      reply,
    );
  if (status !== reply.status)
    violation(
      `code ${body.code} answered with ${reply.status}, the contract says ${status}`,
      request,
      reply,
    );
  if (body.errors !== undefined) {
    const errors = body.errors;
    const ok =
      typeof errors === 'object' &&
      errors !== null &&
      !Array.isArray(errors) &&
      Object.values(errors).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));
    if (!ok) violation('`errors` is not an object of string arrays', request, reply);
  }
  if (reply.status === 405 && !reply.headers.allow)
    violation('405 without an Allow header', request, reply);
  if ((reply.status === 429 || reply.status === 503) && !reply.headers['retry-after'])
    violation(`${reply.status} without Retry-After`, request, reply);
  if (
    endpoint.bearer &&
    body.code === 'token_not_valid' &&
    !/^Bearer\b/i.test(String(reply.headers['www-authenticate'] ?? ''))
  ) {
    violation(
      'token_not_valid at a Bearer endpoint without WWW-Authenticate: Bearer',
      request,
      reply,
    );
  }
}

function hasAccessToken(reply: Reply): boolean {
  try {
    const body = JSON.parse(reply.text) as unknown;
    return typeof body === 'object' && body !== null && Object.hasOwn(body, 'access_token');
  } catch {
    return false;
  }
}

/**
 * The invariants every answer must keep (the fuzz task's list): 2xx or 4xx, never 5xx (and no
 * redirect: the kit serves both URL forms directly); every 4xx a JSON `{detail, code, errors?}`
 * with a contract code; no stack trace in any body; nothing issued (no auth cookie set, no
 * access_token, no JWT) unless the answer is a 200 of an issuing endpoint; token answers no-store.
 */
export function checkReply(endpoint: Endpoint, request: FuzzRequest, reply: Reply): void {
  const { status } = reply;
  if (status >= 500) violation(`server error ${status}`, request, reply);
  if (status < 200 || (status >= 300 && status < 400))
    violation(`status ${status} is neither 2xx nor 4xx`, request, reply);
  if (STACK_FRAME.test(reply.text)) violation('a stack trace in the body', request, reply);
  if (status >= 400 && reply.text.includes('Error:'))
    violation('`Error:` in an error body', request, reply);
  const head = request.method.toUpperCase() === 'HEAD';
  if (status >= 400 && !head) checkErrorBody(endpoint, request, reply);
  const issued = issuedCookies(reply);
  const mayIssue = status === 200 && endpoint.issues;
  if (!mayIssue) {
    if (issued.length)
      violation(`a ${status} of ${endpoint.name} sets ${issued.join(', ')}`, request, reply);
    if (hasAccessToken(reply))
      violation(`a ${status} of ${endpoint.name} carries an access_token`, request, reply);
  }
  if (status !== 200 && JWT_SHAPE.test(reply.text))
    violation('a token in a non-200 body', request, reply);
  if (mayIssue && !head) {
    if (reply.headers['cache-control'] !== 'no-store')
      violation('a token answer without Cache-Control: no-store', request, reply);
    const body = JSON.parse(reply.text) as Record<string, unknown>;
    if (typeof body.access_token !== 'string' || typeof body.CSRF_token !== 'string')
      violation('a 200 token answer without access_token / CSRF_token', request, reply);
    if (issued.sort().join() !== 'CSRF_token,refresh_cookie,session')
      violation(`a 200 token answer that sets ${issued.join(', ') || 'no cookie'}`, request, reply);
  }
}

/** A log line without the username a failed sign-in reports (a fuzzed username may look like anything). */
function withoutUsername(line: string): string {
  try {
    const entry = JSON.parse(line) as { event?: { username?: unknown } };
    if (entry.event) delete entry.event.username;
    return JSON.stringify(entry);
  } catch {
    return line;
  }
}

/** The server log lines that show an uncaught error (the kit's `unexpected error`, Next's `⨯`) or token material. */
export function badLogLines(output: string): string[] {
  const bad = output
    .split('\n')
    .filter(
      (line) =>
        /unexpected error|^\s*⨯|unhandled|uncaught/i.test(line) ||
        JWT_SHAPE.test(withoutUsername(line)),
    );
  // The first few, clipped: enough to diagnose, short enough to read in a test report.
  return bad.length > 5
    ? [...bad.slice(0, 5).map((l) => l.slice(0, 700)), `… and ${bad.length - 5} more`]
    : bad.map((l) => l.slice(0, 700));
}
