import { InMemoryWebStorage, OidcClient, WebStorageStateStore } from 'oidc-client-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '@/dev/idp-local/server';
import { CALLBACK, DEMO, postSignIn } from './flow';

let idp: LocalIdp;

beforeAll(async () => {
  idp = await startLocalIdp({ port: 0, logoutUris: ['http://localhost:3000/'] });
});

afterAll(async () => {
  await idp.close();
});

describe('oidc-client-ts against the local IdP', () => {
  it('completes sign-in with authority = server URL while tokens carry the Cognito issuer', async () => {
    const client = new OidcClient({
      authority: idp.url,
      client_id: idp.clientId,
      redirect_uri: CALLBACK,
      post_logout_redirect_uri: 'http://localhost:3000/',
      scope: 'openid email profile',
      loadUserInfo: true,
      stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    });
    const request = await client.createSigninRequest({ state: { returnTo: '/account' } });
    const params = Object.fromEntries(new URL(request.url).searchParams);
    expect(params).toMatchObject({ code_challenge_method: 'S256', response_type: 'code' });
    const form = await fetch(request.url);
    expect(form.status).toBe(200);

    const signedIn = await postSignIn(idp, { ...params, ...DEMO });
    const response = await client.processSigninResponse(signedIn.headers.get('location') ?? '');
    expect(response.profile.iss).toBe(idp.issuer);
    expect(response.profile['cognito:username']).toBe('demo');
    expect(response.userState).toEqual({ returnTo: '/account' });
    expect(response.refresh_token).toBeTruthy();

    const signout = await client.createSignoutRequest({
      id_token_hint: response.id_token,
      state: { after: 'logout' },
    });
    const loggedOut = await fetch(signout.url, { redirect: 'manual' });
    expect(loggedOut.status).toBe(302);
    const back = new URL(loggedOut.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe('http://localhost:3000/');
    expect(back.searchParams.get('state')).toBe(signout.state?.id);
    expect(signout.state?.id).toBeTruthy();
  });
});
