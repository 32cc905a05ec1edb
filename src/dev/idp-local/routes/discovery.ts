import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { IdpContext } from '../config';
import { corsHeaders, sendJson } from '../http';

/** Builds the OpenID discovery document: Cognito's issuer, with every endpoint on this server. */
export function discoveryDocument(ctx: IdpContext): Record<string, unknown> {
  const base = ctx.baseUrl;
  return {
    issuer: ctx.issuer,
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    end_session_endpoint: `${base}/logout`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'profile', 'phone', 'aws.cognito.signin.user.admin'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'email',
      'email_verified',
      'given_name',
      'family_name',
      'cognito:username',
    ],
  };
}

/** GET /.well-known/openid-configuration. */
export function handleDiscovery(ctx: IdpContext, req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, discoveryDocument(ctx), corsHeaders(req));
}

/** GET /.well-known/jwks.json: the public signing keys. */
export function handleJwks(ctx: IdpContext, req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, ctx.jwks, corsHeaders(req));
}

/** GET /oauth2/userInfo: Cognito-style user attributes for a valid access token. */
export async function handleUserInfo(
  ctx: IdpContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = { ...corsHeaders(req), 'Cache-Control': 'no-store' };
  const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const payload = token
    ? await jwtVerify(token, createLocalJWKSet(ctx.jwks), {
        issuer: ctx.issuer,
        algorithms: ['RS256'],
      }).then(
        (result) => result.payload,
        () => undefined,
      )
    : undefined;
  const user =
    payload?.token_use === 'access' && payload.client_id === ctx.clientId
      ? ctx.users.find((u) => u.username === payload.username)
      : undefined;
  if (!payload || !user) {
    sendJson(
      res,
      401,
      { error: 'invalid_token', error_description: 'Access token is invalid' },
      {
        ...headers,
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      },
    );
    return;
  }
  // Cognito's userInfo returns every attribute, email_verified included, as a string.
  const body: Record<string, string> = {
    sub: String(payload.sub),
    email: user.email,
    email_verified: String(user.emailVerified ?? false),
    username: user.username,
  };
  if (user.givenName) body.given_name = user.givenName;
  if (user.familyName) body.family_name = user.familyName;
  sendJson(res, 200, body, headers);
}
