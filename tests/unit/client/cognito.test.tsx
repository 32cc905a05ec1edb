// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { beforeEach, describe, expect, test, vi, type Mock } from 'vitest';
import type { ClientIdpSettings } from '@/client';
import { makeJwt } from './fake-server';
import { CSRF_KEY, renderAuth, renderSignedIn, installFakeBackend } from './harness';

const oidc = vi.hoisted(() => ({
  moduleLoads: 0,
  settings: [] as unknown[],
  signinCallback: null as unknown as Mock,
  removeUser: null as unknown as Mock,
  signinRedirect: null as unknown as Mock,
  getMetadata: null as unknown as Mock,
}));

vi.mock('oidc-client-ts', () => {
  oidc.moduleLoads += 1;
  class UserManager {
    constructor(settings: unknown) {
      oidc.settings.push(settings);
    }
    signinCallback(...args: unknown[]) {
      return oidc.signinCallback(...args);
    }
    removeUser(...args: unknown[]) {
      return oidc.removeUser(...args);
    }
    signinRedirect(...args: unknown[]) {
      return oidc.signinRedirect(...args);
    }
    readonly metadataService = { getMetadata: () => oidc.getMetadata() };
  }
  class WebStorageStateStore {
    constructor(readonly options: unknown) {}
  }
  class InMemoryWebStorage {}
  return { UserManager, WebStorageStateStore, InMemoryWebStorage };
});

const server = installFakeBackend();

const idp: ClientIdpSettings = {
  provider: 'aws',
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
  clientId: 'client-123',
  domain: 'auth.example.com',
};

/** What the IdP hands back after the code exchange: Cognito-shaped id and access tokens. */
function idpUser(state: unknown) {
  const now = Math.floor(Date.now() / 1000);
  const common = { sub: '3f1c-carol', iss: idp.authority, iat: now, exp: now + 3600 };
  return {
    id_token: makeJwt(
      {
        ...common,
        aud: idp.clientId,
        token_use: 'id',
        email: 'carol@example.com',
        email_verified: true,
        'cognito:username': 'carol',
      },
      { alg: 'none', kid: 'k1' },
    ),
    access_token: makeJwt(
      { ...common, client_id: idp.clientId, token_use: 'access', username: 'carol' },
      { alg: 'none', kid: 'k1' },
    ),
    state,
  };
}

beforeEach(() => {
  oidc.signinCallback = vi.fn();
  oidc.removeUser = vi.fn(async () => {});
  oidc.signinRedirect = vi.fn(async () => {});
  oidc.getMetadata = vi.fn(async () => ({ authorization_endpoint: `${idp.authority}/authorize` }));
});

describe('Cognito sign-in', () => {
  test('completeCognitoSignIn posts both IdP tokens to /auth/social-exchange/, removes the IdP user, signs in and returns returnTo', async () => {
    const user = idpUser({ returnTo: '/x' });
    oidc.signinCallback.mockResolvedValue(user);
    const view = renderAuth({ idp, callbackPath: '/callback' });
    expect(view.auth.status).toBe('unauthenticated');

    let result: Awaited<ReturnType<typeof view.auth.completeCognitoSignIn>> | undefined;
    await act(async () => {
      result = await view.auth.completeCognitoSignIn();
    });

    expect(result).toEqual({ ok: true, returnTo: '/x' });
    expect(oidc.moduleLoads).toBe(1);
    expect(oidc.settings[0]).toMatchObject({
      authority: idp.authority,
      client_id: 'client-123',
      redirect_uri: 'http://localhost:3000/callback',
      response_type: 'code',
    });
    expect(oidc.signinCallback).toHaveBeenCalledTimes(1);
    const exchanges = server().callsTo('/auth/social-exchange/');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      method: 'POST',
      body: { id_token: user.id_token, access_token: user.access_token },
    });
    expect(oidc.removeUser).toHaveBeenCalledTimes(1);
    // The IdP's tokens are dropped only once the kit's own tokens are in hand.
    expect(oidc.removeUser.mock.invocationCallOrder[0]).toBeGreaterThan(
      server().fetch.mock.invocationCallOrder.at(-1)!,
    );
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ username: 'carol', email: 'carol@example.com' });
    expect(view.auth.getAccessToken()).toBe(server().lastAnswer!.access_token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(server().lastAnswer!.CSRF_token);
  });

  test('completeCognitoSignIn turns an unsafe returnTo such as //evil.example into /', async () => {
    oidc.signinCallback.mockResolvedValue(idpUser({ returnTo: '//evil.example' }));
    const view = renderAuth({ idp });

    let result: Awaited<ReturnType<typeof view.auth.completeCognitoSignIn>> | undefined;
    await act(async () => {
      result = await view.auth.completeCognitoSignIn();
    });

    expect(result).toEqual({ ok: true, returnTo: '/' });
    expect(view.auth.status).toBe('authenticated');
  });

  test('completeCognitoSignIn reports a refused exchange with source cognito and stays unauthenticated', async () => {
    oidc.signinCallback.mockResolvedValue({
      ...idpUser({ returnTo: '/x' }),
      id_token: makeJwt({ token_use: 'access' }),
    });
    const view = renderAuth({ idp });

    let result: Awaited<ReturnType<typeof view.auth.completeCognitoSignIn>> | undefined;
    await act(async () => {
      result = await view.auth.completeCognitoSignIn();
    });

    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({
        source: 'cognito',
        code: 'authentication_failed',
        status: 401,
      }),
    });
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.error).toMatchObject({ source: 'cognito', code: 'authentication_failed' });
  });

  test('signInWithCognito starts the PKCE redirect with a safe returnTo in the state', async () => {
    const view = renderAuth({ idp });

    await act(async () => {
      await view.auth.signInWithCognito({ returnTo: '/reports?year=2026#q1' });
      await view.auth.signInWithCognito({ returnTo: '//evil.example' });
    });

    expect(oidc.signinRedirect.mock.calls).toEqual([
      [{ state: { returnTo: '/reports?year=2026#q1' } }],
      [{ state: { returnTo: '/' } }],
    ]);
    expect(server().fetch).not.toHaveBeenCalled();
  });

  test('a failed callback reports the error and keeps the session this browser already had', async () => {
    const signedIn = await renderSignedIn({ idp });
    const csrf = localStorage.getItem(CSRF_KEY);
    oidc.signinCallback.mockRejectedValue(new Error('No matching state found in storage'));

    let result: Awaited<ReturnType<typeof signedIn.auth.completeCognitoSignIn>> | undefined;
    await act(async () => {
      result = await signedIn.auth.completeCognitoSignIn();
    });

    expect(result).toMatchObject({ ok: false, error: { source: 'cognito' } });
    expect(signedIn.auth.status).toBe('authenticated');
    expect(signedIn.auth.error).toMatchObject({ source: 'cognito', code: 'client_error' });
    expect(localStorage.getItem(CSRF_KEY)).toBe(csrf);
  });

  test('signInWithCognito reports a redirect that cannot start in error instead of rejecting', async () => {
    const view = renderAuth({ idp });
    oidc.signinRedirect.mockRejectedValueOnce(new Error('Redirect aborted'));

    await act(async () => {
      await view.auth.signInWithCognito({ returnTo: '/x' });
    });

    expect(view.auth.error).toMatchObject({
      source: 'cognito',
      code: 'client_error',
      detail: 'Redirect aborted',
    });
    // The next attempt goes through.
    await act(async () => {
      await view.auth.signInWithCognito({ returnTo: '/x' });
    });
    expect(oidc.signinRedirect).toHaveBeenCalledTimes(2);
  });

  test('an unreachable discovery document fails before the redirect is prepared (whose failure stops the whole page)', async () => {
    const view = renderAuth({ idp });
    oidc.getMetadata.mockRejectedValueOnce(new TypeError('Failed to fetch'));

    await act(async () => {
      await view.auth.signInWithCognito({ returnTo: '/x' });
    });

    expect(view.auth.error).toMatchObject({ source: 'cognito', detail: 'Failed to fetch' });
    expect(oidc.signinRedirect).not.toHaveBeenCalled();
    await act(async () => {
      await view.auth.signInWithCognito({ returnTo: '/x' });
    });
    expect(oidc.getMetadata).toHaveBeenCalledTimes(2);
    expect(oidc.signinRedirect).toHaveBeenCalledTimes(1);
  });

  test('signInWithCognito without IdP settings rejects with a clear error', async () => {
    const view = renderAuth();

    expect(view.auth.cognitoEnabled).toBe(false);
    await expect(view.auth.signInWithCognito()).rejects.toThrow('no IdP is configured');
    expect(oidc.signinRedirect).not.toHaveBeenCalled();
  });
});
