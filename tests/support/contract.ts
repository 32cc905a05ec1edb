import net from 'node:net';
import {
  decodeJwt,
  importJWK,
  SignJWT,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { expect } from 'vitest';
import type { AuthEvent } from '@/auth/events';
import type { Database } from '@/db/client';
import { HttpClient, setCookies, type ParsedCookie } from './http-client';
import { startKit, type HttpBackend, type KitServer, type SeedUser } from './kit-servers';

/** The contract's cookie names (docs/contract.md section 3). */
export const REFRESH_COOKIE = 'refresh_cookie';
export const CSRF_COOKIE = 'CSRF_token';
export const SESSION_COOKIE = 'session';

/** The token endpoints (docs/contract.md section 2), with the seed's trailing slash. */
export const PATHS = {
  signIn: '/auth/sign-in/',
  refresh: '/auth/refresh/',
  logoff: '/auth/logoff/',
  logoffAll: '/auth/logoff-all/',
  verify: '/auth/verify/',
  sessions: '/auth/sessions/',
  revoke: '/auth/sessions/revoke/',
  jwks: '/.well-known/jwks.json',
} as const;

/** The body of a sign-in or refresh answer. */
export interface TokenBody {
  access_token: string;
  expires: number;
  CSRF_token: string;
  user?: Record<string, unknown>;
}

/**
 * Like startKit, with a hook that runs on the seeded database before the server starts (for state
 * the seed users cannot express, such as an inactive user; PGlite is held by the server afterwards).
 */
export async function startKitPrepared(
  backend: HttpBackend,
  {
    env = {},
    users = [],
    prepare,
  }: {
    env?: Record<string, string>;
    users?: SeedUser[];
    prepare?: (db: Database) => Promise<void>;
  } = {},
): Promise<KitServer | null> {
  return startKit(backend, { env, users, prepare });
}

/**
 * Sends one cheap request to every token route, so that the first real request of a test does not
 * pay for loading the route (seconds on a busy machine: enough to expire a 2-second token).
 */
export async function warmUp(server: { url: string }): Promise<void> {
  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    }).then((r) => r.arrayBuffer());
  await Promise.all([
    post(PATHS.signIn, '{}'),
    post(PATHS.refresh, '{}'),
    post(PATHS.logoff, '[]'),
    post(PATHS.verify, '{"token":"warm.up.token"}'),
    post(PATHS.revoke, '{}'),
    post(PATHS.logoffAll, ''),
    fetch(`${server.url}${PATHS.sessions}`).then((r) => r.arrayBuffer()),
  ]);
  // One real password check, so the hasher is loaded too (an unknown user: the dummy hash).
  await post(
    PATHS.signIn,
    JSON.stringify({ username: 'warm-up-nobody', password: 'warm-up-password' }),
  );
}

/** startKitPrepared, then {@link warmUp}. */
export async function startWarmKit(
  backend: HttpBackend,
  options: {
    env?: Record<string, string>;
    users?: SeedUser[];
    prepare?: (db: Database) => Promise<void>;
  } = {},
): Promise<KitServer | null> {
  const kit = await startKitPrepared(backend, options);
  if (kit) await warmUp(kit);
  return kit;
}

/**
 * Asserts an error answer: the status, the code, and the exact body shape `{ detail, code }`
 * (plus `errors` for field errors, when `fieldErrors` is true), with no stack trace anywhere.
 * @returns the parsed body.
 */
export async function expectError(
  response: Response,
  status: number,
  code: string,
  { fieldErrors = false }: { fieldErrors?: boolean } = {},
): Promise<{ detail: string; code: string; errors?: Record<string, string[]> }> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(text) as {
    detail: string;
    code: string;
    errors?: Record<string, string[]>;
  };
  expect(body.code).toBe(code);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  if (fieldErrors) {
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'errors']);
    expect(typeof body.errors).toBe('object');
    for (const messages of Object.values(body.errors ?? {})) {
      expect(Array.isArray(messages)).toBe(true);
      for (const message of messages) expect(typeof message).toBe('string');
    }
  } else {
    expect(
      Object.keys(body)
        .filter((key) => key !== 'errors')
        .sort(),
    ).toEqual(['code', 'detail']);
  }
  expectNoStackTrace(text);
  return body;
}

/** Fails when a text looks like it carries a stack trace or source paths. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(
    /\bat [\w$.<>]+ \(|\n\s+at |node_modules|\.tsx?:\d+|\.m?js:\d+|webpack|turbopack/i,
  );
}

/** The cookies a response set, by name. */
export function cookiesByName(response: Response): Record<string, ParsedCookie> {
  return Object.fromEntries(setCookies(response).map((cookie) => [cookie.name, cookie]));
}

/** The JWT inside a signed cookie value (`<jwt>:<signature>`). */
export function jwtOfSignedCookie(value: string): string {
  const at = value.lastIndexOf(':');
  return at > 0 ? value.slice(0, at) : value;
}

/** The refresh JWT the client holds in its jar. */
export function refreshJwt(client: HttpClient): string {
  const value = client.jar.get(REFRESH_COOKIE)?.value;
  if (!value) throw new Error('the client holds no refresh cookie');
  return jwtOfSignedCookie(value);
}

/** The decoded claims of the refresh token the client holds. */
export function refreshClaims(
  client: HttpClient,
): JWTPayload & { sid: string; jti: string; exp: number } {
  return decodeJwt(refreshJwt(client)) as JWTPayload & { sid: string; jti: string; exp: number };
}

/** A copy of a client with the same cookies (another tab, a stolen cookie jar, or another instance). */
export function cloneClient(
  client: HttpClient,
  {
    baseUrl = client.baseUrl,
    headers = client.defaultHeaders,
  }: { baseUrl?: string; headers?: Record<string, string> } = {},
): HttpClient {
  const copy = new HttpClient(baseUrl, headers);
  for (const [name, cookie] of client.jar) copy.jar.set(name, { ...cookie });
  return copy;
}

/** Signs in through the real endpoint and asserts a 200; returns the body and the response. */
export async function signIn(
  client: HttpClient,
  username: string,
  password: string,
  headers?: Record<string, string>,
): Promise<{ body: TokenBody; response: Response }> {
  const response = await client.post(PATHS.signIn, { username, password }, headers);
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: 200 });
  return { body: JSON.parse(text) as TokenBody, response };
}

/** Calls refresh with the CSRF token in the body (the double-submit value). */
export function refresh(
  client: HttpClient,
  csrf: string | undefined,
  headers?: Record<string, string>,
): Promise<Response> {
  return client.post(PATHS.refresh, csrf === undefined ? {} : { CSRF_token: csrf }, headers);
}

/** Asserts that a response clears all three auth cookies: same names and paths, expiry in the past. */
export function expectCookiesCleared(response: Response): void {
  const cookies = cookiesByName(response);
  for (const [name, path] of [
    [REFRESH_COOKIE, '/auth'],
    [CSRF_COOKIE, '/auth'],
    [SESSION_COOKIE, '/'],
  ] as const) {
    const cookie = cookies[name];
    expect(cookie, `${name} is cleared`).toBeDefined();
    expect(cookie?.path).toBe(path);
    expect(cookie?.value ?? '').toBe('');
    const expired =
      (cookie?.expires !== undefined && cookie.expires.getTime() <= Date.now()) ||
      (cookie?.maxAge !== undefined && cookie.maxAge <= 0);
    expect(expired, `${name} expires in the past`).toBe(true);
  }
}

/** The attributes docs/contract.md section 3 fixes for every auth cookie. */
export function attributesOf({ httpOnly, sameSite, path, secure }: ParsedCookie) {
  return { httpOnly, sameSite, path, secure };
}

/** One structured auth event line of the server log (the event as `onEvent` receives it). */
export interface LoggedEvent {
  level: string;
  msg: string;
  event: AuthEvent;
}

/** The auth events the server logged, in order (one JSON line each). */
export function loggedEvents(output: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(trimmed) as LoggedEvent;
      if (parsed.msg === 'auth event' && parsed.event) events.push(parsed);
    } catch {
      /* not a JSON line */
    }
  }
  return events;
}

/** Waits until the server log shows events matching a predicate (log lines flush asynchronously). */
export async function waitForEvents(
  output: () => string,
  predicate: (events: LoggedEvent[]) => boolean,
  timeoutMs = 3000,
): Promise<LoggedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = loggedEvents(output());
    if (predicate(events) || Date.now() > deadline) return events;
    await sleep(50);
  }
}

/** The private signing JWK the kit was started with (tests forge tokens with the real key). */
export function privateSigningKey(kit: Pick<KitServer, 'env'>): JWK {
  const keys = (JSON.parse(kit.env.AUTH_SIGNING_KEYS ?? '{"keys":[]}') as { keys: JWK[] }).keys;
  const key = keys[0];
  if (!key) throw new Error('the kit has no signing key');
  return key;
}

/** Signs arbitrary claims and header with the kit's own private key (for tokens the kit must refuse). */
export async function signWithKitKey(
  kit: Pick<KitServer, 'env'>,
  payload: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const jwk = privateSigningKey(kit);
  const key = await importJWK(jwk, jwk.alg);
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: jwk.alg!,
      kid: jwk.kid,
      typ: 'at+jwt',
      ...header,
    } as JWTHeaderParameters)
    .sign(key);
}

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** base64url of a JSON value (for hand-built JWTs). */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An HTTP/1.1 answer read off a raw socket. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One keep-alive TCP connection to a server, for what fetch hides: whether the connection
 * survives an answer. `send` resolves to the next answer, or null when the server closed or reset
 * the connection (or stayed silent for `timeoutMs`).
 */
export async function rawConnection(port: number): Promise<{
  send(request: string | Buffer, timeoutMs?: number): Promise<RawAnswer | null>;
  closedByServer(): boolean;
  close(): void;
}> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffer = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    wake?.();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake?.();
  });

  function tryParse(): RawAnswer | null {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const at = line.indexOf(':');
      headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
    let rest = buffer.subarray(end + 4);
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd < 0) return null;
        const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
        if (rest.length < lineEnd + 2 + size + 2) return null;
        if (size === 0) {
          rest = rest.subarray(lineEnd + 4);
          break;
        }
        parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        rest = rest.subarray(lineEnd + 2 + size + 2);
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (rest.length < length) return null;
      body = rest.subarray(0, length);
      rest = rest.subarray(length);
    }
    buffer = rest;
    return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
  }

  return {
    async send(request, timeoutMs = 5000) {
      if (!closed) socket.write(request);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = tryParse();
        if (answer) return answer;
        if (closed || Date.now() > deadline) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
        wake = null;
      }
    },
    closedByServer: () => closed,
    close: () => socket.destroy(),
  };
}

/** A raw HTTP/1.1 POST of a JSON text, chunked (no Content-Length) or with a Content-Length. */
export function rawJsonPost(
  port: number,
  path: string,
  text: string,
  { chunked = false } = {},
): string {
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n`;
  if (!chunked) return `${head}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 4096) {
    const part = text.slice(i, i + 4096);
    chunks.push(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`);
  }
  return `${head}Transfer-Encoding: chunked\r\n\r\n${chunks.join('')}0\r\n\r\n`;
}
