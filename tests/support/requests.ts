/** Requests to the kit's endpoints over HTTP, and kits started warm for them. */
import { expect } from 'vitest';
import type { Database } from '@/db/client';
import { HttpClient } from './http-client';
import { startKit, type HttpBackend, type KitServer, type SeedUser } from './kit-servers';

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

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
