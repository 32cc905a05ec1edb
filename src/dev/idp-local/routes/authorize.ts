import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { S256_CHALLENGE } from '../codes';
import type { IdpContext } from '../config';
import { renderErrorPage, renderSignInPage } from '../html';
import { readForm, redirect, sendHtml } from '../http';
import { newGrant } from '../tokens';
import { stableSub, type LocalIdpUser } from '../users';

const OAUTH_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'nonce',
] as const;

type AuthorizeRequest = Record<(typeof OAUTH_FIELDS)[number], string>;

type Checked =
  | { ok: true; request: AuthorizeRequest }
  | { ok: false; status: number; message: string; hint?: string; back?: string };

/** Validates OAuth parameters; client and redirect problems are never answered with a redirect. */
function check(ctx: IdpContext, params: URLSearchParams): Checked {
  const request = Object.fromEntries(
    OAUTH_FIELDS.map((name) => [name, params.get(name) ?? '']),
  ) as AuthorizeRequest;
  request.scope ||= 'openid';
  const fail = (message: string, status = 400) => ({ ok: false as const, status, message });
  if (request.client_id !== ctx.clientId) return fail('Unknown or missing client_id.');
  if (!ctx.redirectUris.has(request.redirect_uri)) {
    return {
      ...fail(
        `The redirect_uri ${JSON.stringify(request.redirect_uri)} is not registered for this client (redirect_mismatch). Registered: ${[...ctx.redirectUris].join(', ')}.`,
      ),
      // The usual cause: the app runs on another port than the stand-in was told about.
      hint: "Start the app with PORT=<port> npm run dev (or npm run dev -- -p <port>), or list the app's callback URL in LOCAL_IDP_REDIRECT_URIS when you run npm run idp yourself.",
      back: originOf(request.redirect_uri),
    };
  }
  if (request.response_type !== 'code') return fail('Only response_type=code is supported.');
  if (!S256_CHALLENGE.test(request.code_challenge)) {
    return fail('A PKCE code_challenge (S256, 43 base64url characters) is required.');
  }
  if (request.code_challenge_method !== 'S256') return fail('code_challenge_method must be S256.');
  return { ok: true, request };
}

/**
 * The validated request, or null once the error page (with its hint and way back) has been sent:
 * the form (GET) and the sign-in (POST) refuse a bad request alike.
 */
function checkedOrErrorPage(
  ctx: IdpContext,
  params: URLSearchParams,
  res: ServerResponse,
): AuthorizeRequest | null {
  const checked = check(ctx, params);
  if (checked.ok) return checked.request;
  sendHtml(
    res,
    checked.status,
    renderErrorPage('Invalid sign-in request', checked.message, checked),
  );
  return null;
}

/** The origin of a URL the client sent, as a way back; undefined when it is no http(s) URL. */
function originOf(url: string): string | undefined {
  try {
    const { protocol, origin } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? `${origin}/` : undefined;
  } catch {
    return undefined;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Finds the user by username or email (case-insensitive like Cognito) and checks the password. */
function authenticate(ctx: IdpContext, login: string, password: string): LocalIdpUser | undefined {
  const wanted = login.trim().toLowerCase();
  const user = ctx.users.find(
    (u) => u.username.toLowerCase() === wanted || u.email.toLowerCase() === wanted,
  );
  // Compare digests so the comparison time does not depend on the password's contents.
  const ok = timingSafeEqual(digest(password), digest(user?.password ?? '\0no-user'));
  return user && ok ? user : undefined;
}

function signInPage(ctx: IdpContext, request: AuthorizeRequest, username?: string, error?: string) {
  return renderSignInPage({
    action: `${ctx.baseUrl}/oauth2/authorize`,
    hidden: request,
    username,
    error,
  });
}

function backToClient(request: AuthorizeRequest, values: Record<string, string>): string {
  const target = new URL(request.redirect_uri);
  for (const [name, value] of Object.entries(values)) target.searchParams.set(name, value);
  if (request.state) target.searchParams.set('state', request.state);
  return target.toString();
}

/** GET /oauth2/authorize: validates the request and shows the sign-in form. */
export function handleAuthorizeGet(
  ctx: IdpContext,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const request = checkedOrErrorPage(ctx, query, res);
  if (!request) return;
  // There is no browser session here, so silent renewal must fail fast instead of hanging an iframe.
  if (query.get('prompt') === 'none') {
    redirect(res, backToClient(request, { error: 'login_required' }));
    return;
  }
  sendHtml(res, 200, signInPage(ctx, request));
}

/** POST /oauth2/authorize: checks the credentials and redirects back with a single-use code. */
export async function handleAuthorizePost(
  ctx: IdpContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = await readForm(req);
  const request = checkedOrErrorPage(ctx, form, res);
  if (!request) return;
  const login = form.get('username') ?? '';
  const user = authenticate(ctx, login, form.get('password') ?? '');
  if (!user) {
    sendHtml(res, 401, signInPage(ctx, request, login, 'Incorrect username or password.'));
    return;
  }
  const grant = newGrant({
    issuer: ctx.issuer,
    clientId: ctx.clientId,
    scope: request.scope,
    nonce: request.nonce || undefined,
    user: {
      sub: stableSub(ctx.userPoolId, user.username),
      username: user.username,
      email: user.email,
      emailVerified: user.emailVerified ?? false,
      givenName: user.givenName,
      familyName: user.familyName,
    },
  });
  const code = ctx.codes.add({
    grant,
    redirectUri: request.redirect_uri,
    codeChallenge: request.code_challenge,
  });
  redirect(res, backToClient(request, { code }));
}
