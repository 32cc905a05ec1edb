import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import authConfig from '@/auth.config';
import type { AuthContext } from '@/auth/context';
import { logoff } from '@/auth/sessions/end';
import { grantRole } from '@/auth/services/roles';
import { signIn } from '@/auth/services/sign-in';
import type { IssuedTokens } from '@/auth/sessions/issue';
import { startTestKit, type TestKit } from '../support/auth-context';

// The helpers of src/auth/server.ts and src/auth/actions.ts, wired as Next runs them: the
// request's headers come from `next/headers`, and `redirect()` / `notFound()` throw as Next's do.
const request = vi.hoisted(() => ({ headers: new Headers(), ctx: null as AuthContext | null }));
vi.mock('next/headers', () => ({ headers: async () => request.headers }));
vi.mock('next/navigation', () => ({
  redirect: (url: string) => {
    throw new Error(`redirect ${url}`);
  },
  notFound: () => {
    throw new Error('not found');
  },
}));
vi.mock('@/auth/context', () => ({
  getAuthContext: async () => request.ctx,
  getAuthCore: async () => request.ctx,
}));

const { getCurrentUser, requireUser, withAuth } = await import('@/auth/server');
const { withAuthAction } = await import('@/auth/actions');

describe('the server helpers as a page, an action and a route handler call them', () => {
  let kit: TestKit;
  let session: IssuedTokens;
  beforeAll(async () => {
    kit = await startTestKit(authConfig);
    request.ctx = kit.ctx;
    await kit.user('wren');
    await grantRole(kit.ctx.db, 'wren', 'editor');
  });
  afterAll(() => kit.close());
  beforeEach(async () => {
    session = await signIn(kit.ctx, { username: 'wren', password: 'wren-password-1' }, kit.client);
    request.headers = new Headers({
      cookie: `${kit.ctx.config.sessionCookieName}=${session.sessionToken}`,
      'x-auth-path': '/settings?tab=2',
    });
  });

  it('getCurrentUser(): the user of a live session; null once it is logged off', async () => {
    expect(await getCurrentUser()).toMatchObject({
      username: 'wren',
      claims: { roles: ['editor'] },
    });
    expect(await getCurrentUser({ role: 'admin' })).toBeNull();
    await logoff(kit.ctx, session.refreshToken, kit.client);
    expect(await getCurrentUser()).toBeNull();
  });

  it('requireUser(): signed out → the sign-in page with next (the path the proxy saw, or returnTo)', async () => {
    await logoff(kit.ctx, session.refreshToken, kit.client);
    await expect(requireUser()).rejects.toThrow('redirect /login?next=%2Fsettings%3Ftab%3D2');
    await expect(requireUser({ returnTo: '/account', signInPath: '/sign-in' })).rejects.toThrow(
      'redirect /sign-in?next=%2Faccount',
    );
    request.headers.set('x-auth-path', '//evil.example');
    await expect(requireUser()).rejects.toThrow(/^redirect \/login$/);
  });

  it('requireUser(): a failed role is not found; a failed step-up asks to sign in again', async () => {
    expect(await requireUser({ role: 'editor' })).toMatchObject({ username: 'wren' });
    await expect(requireUser({ role: 'admin' })).rejects.toThrow('not found');
    await expect(requireUser({ mfa: true })).rejects.toThrow(
      'redirect /login?next=%2Fsettings%3Ftab%3D2&reauth=1',
    );
  });

  it('withAuthAction(): runs for a live session, answers a typed refusal otherwise', async () => {
    const rename = withAuthAction(async (user, name: string) => ({
      ok: true as const,
      name,
      id: user.id,
    }));
    expect(await rename('Wren')).toEqual({ ok: true, name: 'Wren', id: session.userId });
    expect(await withAuthAction(async () => 1, { role: 'admin' })()).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await withAuthAction(async () => 1, { maxAge: 3600 })()).toBe(1);
    await logoff(kit.ctx, session.refreshToken, kit.client);
    expect(await rename('Wren')).toEqual({ ok: false, error: 'not_signed_in' });
  });

  it('withAuth({ live: true }) refuses the still-unexpired access token of a logged-off session; plain withAuth does not', async () => {
    const me = (live: boolean) =>
      withAuth(async (_request, { claims }) => Response.json({ roles: claims.roles }), { live });
    const call = (live: boolean) =>
      me(live)(
        new Request('http://kit.test/api', {
          headers: { authorization: `Bearer ${session.accessToken}` },
        }),
        undefined,
      );
    expect((await call(true)).status).toBe(200);
    await logoff(kit.ctx, session.refreshToken, kit.client);
    const refused = await call(true);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'token_not_valid' });
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await call(false)).status).toBe(200);
  });
});
