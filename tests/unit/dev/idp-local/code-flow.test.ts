import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '@/dev/idp-local/server';
import { obtainCode, postToken, redeem } from './flow';

let idp: LocalIdp;

beforeAll(async () => {
  idp = await startLocalIdp({ port: 0, logoutUris: ['http://localhost:3000/'] });
});

afterAll(async () => {
  await idp.close();
});

async function verifiers() {
  const jwks = await (await fetch(idp.jwksUrl)).json();
  const base = { userPoolId: idp.userPoolId, clientId: idp.clientId };
  const id = CognitoJwtVerifier.create({ ...base, tokenUse: 'id' });
  const access = CognitoJwtVerifier.create({ ...base, tokenUse: 'access' });
  id.cacheJwks(jwks);
  access.cacheJwks(jwks);
  return { id, access };
}

async function signInAndRedeem() {
  const { code, verifier } = await obtainCode(idp);
  const response = await redeem(idp, code, verifier);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string>;
}

describe('authorization code flow with PKCE', () => {
  it('returns Cognito-shaped tokens that CognitoJwtVerifier accepts', async () => {
    const { code, verifier } = await obtainCode(idp);
    const response = await fetch(`${idp.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: 'http://localhost:3000',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:3000/callback',
        client_id: idp.clientId,
        code_verifier: verifier,
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer' });
    expect(typeof body.refresh_token).toBe('string');

    const { id, access } = await verifiers();
    const idClaims = await id.verify(String(body.id_token));
    const accessClaims = await access.verify(String(body.access_token));
    expect(decodeProtectedHeader(String(body.id_token))).toMatchObject({ alg: 'RS256' });
    expect(idClaims).toMatchObject({
      iss: idp.issuer,
      aud: idp.clientId,
      token_use: 'id',
      'cognito:username': 'demo',
      email: 'demo@example.com',
      email_verified: true,
      given_name: 'Demo',
      family_name: 'User',
      nonce: 'nonce-456',
    });
    expect(idClaims.sub).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    for (const claim of ['jti', 'origin_jti', 'event_id', 'auth_time', 'iat', 'exp', 'at_hash']) {
      expect(idClaims).toHaveProperty(claim);
    }
    expect(accessClaims).toMatchObject({
      sub: idClaims.sub,
      iss: idp.issuer,
      client_id: idp.clientId,
      token_use: 'access',
      scope: 'openid email profile',
      username: 'demo',
      origin_jti: idClaims.origin_jti,
      event_id: idClaims.event_id,
      auth_time: idClaims.auth_time,
    });
    expect(accessClaims).not.toHaveProperty('aud');
    await expect(id.verify(String(body.access_token))).rejects.toThrow();
  });

  it('keeps the same sub for the same user across sign-ins', async () => {
    const first = decodeJwt((await signInAndRedeem()).id_token ?? '');
    const second = decodeJwt((await signInAndRedeem()).id_token ?? '');
    expect(second.sub).toBe(first.sub);
    expect(second.jti).not.toBe(first.jti);
  });

  it.each([
    ['a wrong verifier', 'x'.repeat(43)],
    ['a missing verifier', undefined],
  ])('refuses %s with invalid_grant', async (_label, verifier) => {
    const { code } = await obtainCode(idp);
    const response = await redeem(idp, code, verifier);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a reused code with invalid_grant', async () => {
    const { code, verifier } = await obtainCode(idp);
    expect((await redeem(idp, code, verifier)).status).toBe(200);
    const again = await redeem(idp, code, verifier);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a mismatched redirect_uri, a foreign client and unknown grant types', async () => {
    const { code, verifier } = await obtainCode(idp);
    const base = { grant_type: 'authorization_code', code, code_verifier: verifier };
    const wrongRedirect = await postToken(idp, {
      ...base,
      client_id: idp.clientId,
      redirect_uri: 'http://localhost:3000/other',
    });
    expect(await wrongRedirect.json()).toMatchObject({ error: 'invalid_grant' });
    const foreign = await postToken(idp, { ...base, client_id: 'other', redirect_uri: 'x' });
    expect(await foreign.json()).toMatchObject({ error: 'invalid_client' });
    const implicit = await postToken(idp, { grant_type: 'password', client_id: idp.clientId });
    expect(await implicit.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('refreshes like Cognito: same auth_time and origin_jti, no new refresh token', async () => {
    const first = await signInAndRedeem();
    const response = await postToken(idp, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
      client_id: idp.clientId,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, string>;
    expect(body.refresh_token).toBeUndefined();
    const before = decodeJwt(first.id_token ?? '');
    const after = await (await verifiers()).id.verify(body.id_token ?? '');
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.origin_jti).toBe(before.origin_jti);
  });
});

describe('userInfo', () => {
  it('returns Cognito-style string attributes for an access token and refuses id tokens', async () => {
    const tokens = await signInAndRedeem();
    const ok = await fetch(`${idp.url}/oauth2/userInfo`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(ok.status).toBe(200);
    const info = (await ok.json()) as Record<string, string>;
    expect(info).toMatchObject({
      email: 'demo@example.com',
      email_verified: 'true',
      username: 'demo',
    });
    expect(info.sub).toBe(decodeJwt(tokens.id_token ?? '').sub);
    const wrong = await fetch(`${idp.url}/oauth2/userInfo`, {
      headers: { Authorization: `Bearer ${tokens.id_token}` },
    });
    expect(wrong.status).toBe(401);
  });
});

describe('logout', () => {
  const logout = (query: Record<string, string>) =>
    fetch(`${idp.url}/logout?${new URLSearchParams(query)}`, { redirect: 'manual' });

  it('redirects to an allowed logout_uri only', async () => {
    const ok = await logout({ client_id: idp.clientId, logout_uri: 'http://localhost:3000/' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('http://localhost:3000/');
    const refusals: Record<string, string>[] = [
      { client_id: idp.clientId, logout_uri: 'https://evil.example/' },
      { client_id: idp.clientId },
      { client_id: 'someone-else', logout_uri: 'http://localhost:3000/' },
      { logout_uri: 'http://localhost:3000/' },
    ];
    for (const query of refusals) {
      const refused = await logout(query);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('location')).toBeNull();
    }
  });

  it('accepts the OIDC form oidc-client-ts sends (id_token_hint, post_logout_redirect_uri, state)', async () => {
    const { id_token } = await signInAndRedeem();
    const ok = await logout({
      id_token_hint: id_token ?? '',
      post_logout_redirect_uri: 'http://localhost:3000/',
      state: 'bye',
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('http://localhost:3000/?state=bye');
    const forged = await logout({
      id_token_hint: `${(id_token ?? '').slice(0, -4)}AAAA`,
      post_logout_redirect_uri: 'http://localhost:3000/',
    });
    expect(forged.status).toBe(400);
  });
});
