import { describe, expectTypeOf, it } from 'vitest';
import type { AppAuth } from '@/auth.config';
import type { AuthActionError, withAuthAction } from '@/auth/actions';
import { defineAuthConfig } from '@/auth/config/define';
import type { InferAuthTypes } from '@/auth/config/infer';
import type { ApiClaims, CurrentUser, getCurrentUser, requireUser, withAuth } from '@/auth/server';
import type { AuthContextValue, AuthUser } from '@/client';

// Compiled by `npx tsc --noEmit` (the tests are part of the project): each expectation is a type
// check, and nothing here casts. At run time expectTypeOf does nothing.

type Authenticated = Extract<AuthContextValue, { status: 'authenticated' }>;
type HandlerAuth = Parameters<Parameters<typeof withAuth>[0]>[1];
type ActionUser = Parameters<Parameters<typeof withAuthAction>[0]>[0];

describe('the template config (src/auth.config.ts) types every helper', () => {
  it('infers the custom claims: customTokenUserAttributes and customTokenClaims', () => {
    expectTypeOf<keyof AppAuth['claims']>().toEqualTypeOf<'username' | 'is_staff' | 'roles'>();
    expectTypeOf<AppAuth['claims']['roles']>().toEqualTypeOf<string[]>();
  });

  it('getCurrentUser() and requireUser(): the serializer fields and the claims', () => {
    expectTypeOf<Awaited<ReturnType<typeof getCurrentUser>>>().toEqualTypeOf<CurrentUser | null>();
    expectTypeOf<Awaited<ReturnType<typeof requireUser>>>().toEqualTypeOf<CurrentUser>();
    expectTypeOf<CurrentUser['username']>().toEqualTypeOf<string>();
    expectTypeOf<CurrentUser['first_name']>().toEqualTypeOf<string>();
    expectTypeOf<CurrentUser['email']>().toEqualTypeOf<string>();
    expectTypeOf<CurrentUser['claims']['roles']>().toEqualTypeOf<string[]>();
    expectTypeOf<CurrentUser['claims']['is_staff']>().toEqualTypeOf<boolean>();
    expectTypeOf<CurrentUser['claims']['auth_time']>().toEqualTypeOf<number>();
    expectTypeOf<CurrentUser['claims']['amr']>().toEqualTypeOf<string[]>();
    expectTypeOf<CurrentUser['claims']>().not.toHaveProperty('shoe_size');
  });

  it('withAuth(): the access token claims, registered and custom', () => {
    expectTypeOf<HandlerAuth['claims']>().toEqualTypeOf<ApiClaims>();
    expectTypeOf<ApiClaims['roles']>().toEqualTypeOf<string[]>();
    expectTypeOf<ApiClaims['username']>().toEqualTypeOf<string>();
    expectTypeOf<ApiClaims['sid']>().toEqualTypeOf<string>();
    expectTypeOf<ApiClaims['auth_time']>().toEqualTypeOf<number>();
  });

  it('withAuthAction(): the action gets the current user; the wrapper adds the typed refusal', () => {
    expectTypeOf<ActionUser>().toEqualTypeOf<CurrentUser>();
    expectTypeOf<AuthActionError['error']>().toEqualTypeOf<
      'not_signed_in' | 'forbidden' | 'step_up_required'
    >();
  });

  it('useAuth(): the user member and the decoded claims', () => {
    expectTypeOf<Authenticated['user']>().toEqualTypeOf<AuthUser>();
    expectTypeOf<AuthUser['first_name']>().toEqualTypeOf<string>();
    expectTypeOf<AuthUser['claims']['roles']>().toEqualTypeOf<string[]>();
    expectTypeOf<AuthUser['claims']['is_staff']>().toEqualTypeOf<boolean>();
    expectTypeOf<AuthUser['claims']['exp']>().toEqualTypeOf<number>();
    expectTypeOf<AuthUser['claims']['amr']>().toEqualTypeOf<string[]>();
  });
});

describe('InferAuthTypes on another configuration', () => {
  const _config = defineAuthConfig({
    serializeUser: (user) => ({ name: user.username, joined: user.dateJoined }),
    customTokenUserAttributes: ['date_joined', 'isSuperuser', 'last_login'],
    customTokenClaims: [
      { attrName: 'tenant', attrGetter: async () => 'acme' },
      { attrName: 'level', attrGetter: (user) => (user.isStaff ? 2 : undefined) },
      { attrName: 'flags', attrGetter: () => ({ beta: true }) },
    ],
  });
  type Types = InferAuthTypes<typeof _config>;

  it('dates become Unix seconds, nullable stays nullable, async getters are awaited', () => {
    expectTypeOf<Types['claims']['date_joined']>().toEqualTypeOf<number>();
    expectTypeOf<Types['claims']['isSuperuser']>().toEqualTypeOf<boolean>();
    expectTypeOf<Types['claims']['last_login']>().toEqualTypeOf<number | null>();
    expectTypeOf<Types['claims']['tenant']>().toEqualTypeOf<string>();
    // A synchronous getter's literal answer keeps its literal type (the options are `const`).
    expectTypeOf<Types['claims']['flags']>().toEqualTypeOf<{ beta: true }>();
  });

  it('a getter that may answer undefined gives an optional claim', () => {
    expectTypeOf<Types['claims']>().toHaveProperty('level');
    expectTypeOf<Types['claims']['level']>().toEqualTypeOf<2 | undefined>();
  });

  it("the user is the serializer's return type", () => {
    expectTypeOf<Types['user']>().toEqualTypeOf<{ name: string; joined: Date }>();
  });

  it('no serializer and no claims: nothing is invented', () => {
    const _bare = defineAuthConfig({ cookieSalt: 'pepper' });
    expectTypeOf<InferAuthTypes<typeof _bare>['user']>().toEqualTypeOf<unknown>();
    expectTypeOf<InferAuthTypes<typeof _bare>['claims']>().toEqualTypeOf<unknown>();
  });
});
