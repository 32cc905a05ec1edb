import { createHash, randomBytes } from 'node:crypto';
import type { LocalIdp } from '@/dev/idp-local/server';

/** Default demo credentials and callback used by the flow helpers. */
export const DEMO = { username: 'demo', password: 'demo-password-123' } as const;
export const CALLBACK = 'http://localhost:3000/callback';

/** Creates an RFC 7636 verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Builds the parameters oidc-client-ts would send to /oauth2/authorize. */
export function authorizeParams(idp: LocalIdp, overrides: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: idp.clientId,
    redirect_uri: CALLBACK,
    state: 'state-123',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    scope: 'openid email profile',
    nonce: 'nonce-456',
    ...overrides,
  };
}

/** Posts the sign-in form without following the redirect. */
export function postSignIn(idp: LocalIdp, fields: Record<string, string>): Promise<Response> {
  return fetch(`${idp.url}/oauth2/authorize`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

/** Signs the demo user in and returns the issued code with the verifier that redeems it. */
export async function obtainCode(idp: LocalIdp, overrides: Record<string, string> = {}) {
  const { verifier, challenge } = pkcePair();
  const params = authorizeParams(idp, { code_challenge: challenge, ...overrides });
  const response = await postSignIn(idp, { ...params, ...DEMO });
  if (response.status !== 302) throw new Error(`sign-in failed with ${response.status}`);
  const location = new URL(response.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error('no code in redirect');
  return { code, verifier, location, params };
}

/** Calls the token endpoint with form fields. */
export function postToken(
  idp: LocalIdp,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${idp.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
}

/** Redeems a code with the given verifier (omitted when undefined). */
export function redeem(idp: LocalIdp, code: string, verifier: string | undefined) {
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: CALLBACK,
    client_id: idp.clientId,
  };
  if (verifier !== undefined) fields.code_verifier = verifier;
  return postToken(idp, fields);
}
