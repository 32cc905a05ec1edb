import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactVerify, createLocalJWKSet } from 'jose';
import type { IdpContext } from '../config';
import { renderErrorPage } from '../html';
import { redirect, sendHtml } from '../http';

/** Reads `aud` from an id_token_hint signed by this server; expiry is deliberately not checked. */
async function audienceOfHint(ctx: IdpContext, hint: string): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(hint, createLocalJWKSet(ctx.jwks), {
      algorithms: ['RS256'],
    });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as {
      aud?: unknown;
      iss?: unknown;
    };
    return claims.iss === ctx.issuer && typeof claims.aud === 'string' ? claims.aud : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GET /logout: Cognito's `client_id` + `logout_uri`, plus the OIDC form oidc-client-ts sends
 * (`post_logout_redirect_uri`, `state`, and `id_token_hint` instead of `client_id`).
 */
export async function handleLogout(
  ctx: IdpContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const hint = query.get('id_token_hint');
  const clientId = query.get('client_id') ?? (hint ? await audienceOfHint(ctx, hint) : undefined);
  const logoutUri = query.get('logout_uri');
  const postLogout = query.get('post_logout_redirect_uri');
  const target = logoutUri ?? postLogout;
  const refuse = (message: string) =>
    sendHtml(res, 400, renderErrorPage('Invalid sign-out request', message));
  if (clientId !== ctx.clientId) return refuse('Unknown or missing client_id.');
  if (!target || !ctx.logoutUris.has(target)) {
    return refuse('The logout_uri is not registered as a sign-out URL for this client.');
  }
  const state = query.get('state');
  if (logoutUri || !state) return redirect(res, target);
  const location = new URL(target);
  location.searchParams.set('state', state);
  redirect(res, location.toString());
}
