import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSetCookie } from 'cookie';
import type fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKit, type HttpBackend, type KitServer } from '../../../support/kit-servers';
import { badLogLines, ENDPOINTS } from './contract';
import type { CookieContext, GenuineCookies } from './cookie-mutations';
import { jsonBytes, send, type FuzzRequest, type Reply } from './http';
import { signingMaterial } from './jwt-mutations';

/** Cases per property: `npm run test:fuzz` sets FUZZ_RUNS=10000, a plain `npm test` runs the default. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** A test timeout for one property: start-up allowance plus a per-case budget (generous: 2 shared cores). */
export function fuzzTimeout(perCaseMs: number): number {
  return 60_000 + FUZZ_RUNS * perCaseMs;
}

/**
 * The seed: FUZZ_SEED when set (to replay a failure report); in CI (`CI` set) a fixed one, so the
 * gate is reproducible run to run; otherwise a new random seed each run (`npm run test:fuzz`
 * explores, and any failure prints its seed).
 */
const FUZZ_SEED = process.env.FUZZ_SEED ?? (process.env.CI ? '20261128' : undefined);

/** fast-check options: FUZZ_RUNS cases, reproducible with FUZZ_SEED (and FUZZ_PATH) from a failure report. */
export function fuzzOptions(): fc.Parameters<unknown> {
  return {
    numRuns: FUZZ_RUNS,
    ...(FUZZ_SEED ? { seed: Number(FUZZ_SEED) } : {}),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
  };
}

export const FUZZ_USER = { username: 'fuzz', password: 'fuzz-password-1' };

const BUILD_ID = join(process.cwd(), process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID');
const buildTime = () => {
  try {
    return statSync(BUILD_ID).mtimeMs;
  } catch {
    return 0;
  }
};
const builtAt = new WeakMap<KitServer, number>();

/** The one server of a fuzz file: the seeded `fuzz` user, throttling off. Null when PostgreSQL is unreachable. */
export async function startFuzzKit(
  backend: HttpBackend,
  env: Record<string, string> = {},
): Promise<KitServer | null> {
  const kit = await startKit(backend, {
    users: [FUZZ_USER],
    env: { AUTH_THROTTLE: 'off', ...env },
  });
  if (kit) builtAt.set(kit, buildTime());
  return kit;
}

const REBUILT =
  '.next was rebuilt while this server ran (a concurrent test run): environment, not a finding; run again.';

/** Whether the build under a running server was replaced (another suite's global setup ran `next build`). */
export function rebuiltUnder(kit: KitServer): boolean {
  return buildTime() !== builtAt.get(kit);
}

/** Asserts that the server log shows no uncaught error and no token (see badLogLines), naming a rebuild as the likely cause. */
export function expectCleanLog(kit: KitServer): void {
  const bad = badLogLines(kit.output());
  expect(
    bad,
    bad.length && rebuiltUnder(kit) ? REBUILT : 'uncaught errors or tokens in the server log',
  ).toEqual([]);
}

/**
 * Sends a request to the kit. When the server does not answer at all, the error carries the end
 * of the server's output, and says so when a concurrent `next build` (another suite's global
 * setup) replaced the build under the running server: an environment failure, not a finding.
 */
export async function sendTo(kit: KitServer, request: FuzzRequest): Promise<Reply> {
  try {
    return await send(kit.port, request);
  } catch (error) {
    const rebuilt = rebuiltUnder(kit) ? `\n  NOTE: ${REBUILT}` : '';
    throw new Error(
      `${(error as Error).message}${rebuilt}\n  server output (end):\n${kit.output().slice(-2500)}`,
    );
  }
}

/** Signs the fuzz user in over HTTP and returns every genuine token and cookie value (decoded). */
export async function signIn(kit: KitServer): Promise<GenuineCookies> {
  const reply = await sendTo(kit, {
    method: 'POST',
    path: ENDPOINTS.signIn.path,
    headers: { 'content-type': 'application/json' },
    body: jsonBytes(FUZZ_USER),
  });
  if (reply.status !== 200)
    throw new Error(`sign-in for the fuzz user answered ${reply.status}: ${reply.text}`);
  const body = JSON.parse(reply.text) as { access_token: string; CSRF_token: string };
  const cookies = Object.fromEntries(
    reply.setCookies.map((header) => parseSetCookie(header)).map((c) => [c.name, c.value ?? '']),
  );
  const refreshCookie = cookies.refresh_cookie ?? '';
  return {
    access: body.access_token,
    refresh: refreshCookie.slice(0, refreshCookie.lastIndexOf(':')),
    session: cookies.session ?? '',
    refreshCookie,
    csrfCookie: cookies.CSRF_token ?? '',
    csrfToken: body.CSRF_token,
  };
}

/** Everything the mutation recipes need, for a kit and one of its sessions. */
export function cookieContext(kit: KitServer, genuine: GenuineCookies): CookieContext {
  return { genuine, keys: signingMaterial(kit.env), salt: kit.env.COOKIE_SALT ?? 'extra' };
}

/** The Cookie header a browser would send with this session's cookies (to /auth paths). */
export function genuineCookieHeader(genuine: GenuineCookies): string {
  return `refresh_cookie=${encodeURIComponent(genuine.refreshCookie)}; CSRF_token=${encodeURIComponent(genuine.csrfCookie)}; session=${genuine.session}`;
}

/**
 * One signed-in session a property works with, signed in again when asked to (after a 200 that
 * rotated or ended it) or when its access token (5 minutes) gets old: a 10,000-case property
 * outlives it.
 */
export class SessionKeeper {
  private ctx: CookieContext | null = null;
  private signedInAt = 0;

  constructor(
    private readonly kit: KitServer,
    private readonly maxAgeMs = 120_000,
  ) {}

  async get(): Promise<CookieContext> {
    if (!this.ctx || Date.now() - this.signedInAt > this.maxAgeMs) return this.renew();
    return this.ctx;
  }

  async renew(): Promise<CookieContext> {
    this.ctx = cookieContext(this.kit, await signIn(this.kit));
    this.signedInAt = Date.now();
    return this.ctx;
  }
}

/** Registers properties against the one server of a fuzz file (null when PostgreSQL is unreachable). */
export type PropertyGroup = (kit: () => KitServer | null, backend: HttpBackend) => void;

/**
 * One describe block, one `next start` on `backend` for every group of properties in it, and a
 * closing check that the server log shows no uncaught error and no token. On the pg backend the
 * whole block is skipped, visibly, when PostgreSQL cannot be reached.
 */
export function fuzzFile(
  title: string,
  backend: HttpBackend,
  groups: PropertyGroup[],
  env: Record<string, string> = {},
): void {
  describe(`${title} (${backend})`, () => {
    let kit: KitServer | null = null;
    beforeAll(async () => {
      kit = await startFuzzKit(backend, env);
    });
    afterAll(async () => kit?.stop());
    for (const group of groups) group(() => kit, backend);
    it('the server log shows no uncaught error and no token', (context) => {
      if (!kit)
        return context.skip(`PostgreSQL unreachable: the ${backend} fuzz suite does not run`);
      expectCleanLog(kit);
    });
  });
}

/** An `it` for one property, skipped (visibly) without a server, with a FUZZ_RUNS-scaled timeout. */
export function fuzzIt(
  kit: () => KitServer | null,
  backend: HttpBackend,
  name: string,
  perCaseMs: number,
  body: (kit: KitServer) => Promise<void>,
): void {
  it(
    name,
    async (context) => {
      const server = kit();
      if (!server)
        return context.skip(`PostgreSQL unreachable: the ${backend} fuzz suite does not run`);
      await body(server);
    },
    fuzzTimeout(perCaseMs),
  );
}

/** A property kept visible in the summary as skipped, with its reason in the name. */
fuzzIt.skip = (
  _kit: () => KitServer | null,
  _backend: HttpBackend,
  name: string,
  perCaseMs: number,
  body: (kit: KitServer) => Promise<void>,
): void => {
  it.skip(name, () => body as never, fuzzTimeout(perCaseMs));
};
