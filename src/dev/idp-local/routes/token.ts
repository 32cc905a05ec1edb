import type { IncomingMessage, ServerResponse } from 'node:http';
import { pkceMatches } from '../codes';
import type { IdpContext } from '../config';
import { HttpError, corsHeaders, readForm, sendJson } from '../http';
import { issueTokens, type TokenGrant, type TokenSet } from '../tokens';

function invalidGrant(message: string): HttpError {
  return new HttpError(400, message, 'invalid_grant');
}

/** Redeems a code once; the code is burnt even when the rest of the request is wrong. */
async function exchangeCode(ctx: IdpContext, form: URLSearchParams): Promise<TokenSet> {
  const code = form.get('code');
  if (!code) throw new HttpError(400, 'code is required');
  const stored = ctx.codes.take(code);
  if (!stored) throw invalidGrant('The authorization code is invalid, expired or already used');
  if (stored.grant.clientId !== form.get('client_id')) {
    throw invalidGrant('The code was issued to another client');
  }
  if (stored.redirectUri !== form.get('redirect_uri')) {
    throw invalidGrant('redirect_uri does not match the authorization request');
  }
  if (!pkceMatches(form.get('code_verifier'), stored.codeChallenge)) {
    throw invalidGrant('code_verifier is missing or does not match the code_challenge');
  }
  const tokens = await issueTokens(stored.grant, ctx.key, ctx.lifetimeSeconds);
  return { ...tokens, refresh_token: ctx.refreshTokens.add(stored.grant) };
}

/** Like Cognito, refreshing keeps the sign-in's auth_time and returns no new refresh token. */
async function refresh(ctx: IdpContext, form: URLSearchParams): Promise<TokenSet> {
  const grant: TokenGrant | undefined = ctx.refreshTokens.get(form.get('refresh_token') ?? '');
  if (!grant || grant.clientId !== form.get('client_id')) {
    throw invalidGrant('The refresh token is invalid or expired');
  }
  return issueTokens(grant, ctx.key, ctx.lifetimeSeconds);
}

/** POST /oauth2/token: the authorization_code (with PKCE) and refresh_token grants. */
export async function handleToken(
  ctx: IdpContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = await readForm(req);
  const clientId = form.get('client_id');
  if (!clientId) throw new HttpError(400, 'client_id is required');
  if (clientId !== ctx.clientId) throw new HttpError(400, 'Unknown client_id', 'invalid_client');
  const grantType = form.get('grant_type');
  let tokens: TokenSet;
  if (grantType === 'authorization_code') tokens = await exchangeCode(ctx, form);
  else if (grantType === 'refresh_token') tokens = await refresh(ctx, form);
  else throw new HttpError(400, 'Unsupported grant_type', 'unsupported_grant_type');
  sendJson(res, 200, tokens, {
    ...corsHeaders(req),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
}
