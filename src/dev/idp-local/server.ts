import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CODE_TTL_MS, ExpiringStore } from './codes';
import { resolveSettings, type IdpContext, type LocalIdpOptions } from './config';
import { renderErrorPage } from './html';
import { HttpError, corsHeaders, sendHtml, sendJson, sendPreflight } from './http';
import { generateSigningKey, publicJwks } from './keys';
import { handleAuthorizeGet, handleAuthorizePost } from './routes/authorize';
import { handleDiscovery, handleJwks, handleUserInfo } from './routes/discovery';
import { handleLogout } from './routes/logout';
import { handleToken } from './routes/token';
import { signCognitoJwt, type Claims } from './tokens';
import { DEMO_USER } from './users';

export type { LocalIdpOptions } from './config';

/** A running local Cognito stand-in. */
export interface LocalIdp {
  /** Base URL, also the oidc-client-ts `authority`. */
  url: string;
  /** Cognito-shaped issuer carried in every token. */
  issuer: string;
  jwksUrl: string;
  clientId: string;
  userPoolId: string;
  region: string;
  /** Signs arbitrary claims with the server's key, for tests that need server-trusted tokens. */
  signCognitoToken(claims: Claims): Promise<string>;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

type Handler = (ctx: IdpContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

interface Route {
  methods: Partial<Record<'GET' | 'POST', Handler>>;
  /** Browser apps call the JSON endpoints with fetch from their own origin, so they answer CORS. */
  kind: 'json' | 'html';
}

const REFRESH_TTL_MS = 30 * 24 * 60 * 60 * 1000;

// Paths are matched lowercased, so Cognito's `/oauth2/userInfo` and `/oauth2/userinfo` both work.
const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/.well-known/openid-configuration', { methods: { GET: handleDiscovery }, kind: 'json' }],
  ['/.well-known/jwks.json', { methods: { GET: handleJwks }, kind: 'json' }],
  [
    '/oauth2/authorize',
    { methods: { GET: handleAuthorizeGet, POST: handleAuthorizePost }, kind: 'html' },
  ],
  ['/oauth2/token', { methods: { POST: handleToken }, kind: 'json' }],
  ['/oauth2/userinfo', { methods: { GET: handleUserInfo }, kind: 'json' }],
  ['/logout', { methods: { GET: handleLogout }, kind: 'html' }],
]);

async function dispatch(ctx: IdpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let route: Route | undefined;
  try {
    route = ROUTES.get(new URL(req.url ?? '/', 'http://x').pathname.toLowerCase());
    if (!route) throw new HttpError(404, 'Not found', 'not_found');
    if (req.method === 'OPTIONS' && route.kind === 'json') return sendPreflight(req, res);
    const handler = route.methods[req.method as 'GET' | 'POST'];
    if (!handler) throw new HttpError(405, 'Method not allowed', 'method_not_allowed');
    await handler(ctx, req, res);
  } catch (error) {
    const known = error instanceof HttpError ? error : undefined;
    if (!known) console.error('[idp-local] unexpected error:', (error as Error)?.message ?? error);
    if (res.headersSent) return void res.destroy();
    const status = known?.status ?? 500;
    const message = known?.message ?? 'Internal error';
    // An oversized body may still be arriving; closing the connection bounds what we read.
    if (status === 413) res.setHeader('Connection', 'close');
    if (route?.kind === 'html') {
      sendHtml(res, status, renderErrorPage('Request failed', message));
    } else {
      const error = known?.oauthError ?? 'server_error';
      sendJson(res, status, { error, error_description: message }, corsHeaders(req));
    }
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the local OpenID provider that mimics Cognito's hosted UI and resolves once it listens. */
export async function startLocalIdp(options: LocalIdpOptions = {}): Promise<LocalIdp> {
  const settings = resolveSettings(options, options.users ?? [{ ...DEMO_USER }]);
  const key = options.signingKey ?? generateSigningKey();
  const host = options.host ?? '127.0.0.1';
  const ctx: IdpContext = {
    ...settings,
    baseUrl: '',
    key,
    jwks: publicJwks([key]),
    codes: new ExpiringStore(CODE_TTL_MS),
    refreshTokens: new ExpiringStore(REFRESH_TTL_MS),
  };
  const server = createServer(
    { requestTimeout: 30_000 },
    (req, res) => void dispatch(ctx, req, res),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  ctx.baseUrl = (options.publicUrl ?? `http://${formatHost(host)}:${port}`).replace(/\/+$/, '');
  return {
    url: ctx.baseUrl,
    issuer: ctx.issuer,
    jwksUrl: `${ctx.baseUrl}/.well-known/jwks.json`,
    clientId: ctx.clientId,
    userPoolId: ctx.userPoolId,
    region: ctx.region,
    signCognitoToken: (claims) => signCognitoJwt(claims, key),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
