import type { z } from 'zod';
import { getAuthContext, getAuthCore, type AuthContext, type AuthCore } from '../context';
import {
  clearAuthCookies,
  isSecure,
  readAuthCookies,
  type RequestAuthCookies,
} from '../cookies/auth-cookies';
import { isSameSiteRequest } from '../csrf/origin';
import type { AuthConfig } from '../config/types';
import { CsrfFailed, InvalidRequest, MethodNotAllowed, NotFound, toErrorResponse } from '../errors';
import { log } from '@/log';
import { readJsonBody } from './body';
import { clientInfo, type ClientInfo } from '../client-info';

type Method = 'GET' | 'POST';
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** What a handler body receives: the request, its parsed body and cookies, the auth context. */
export interface HandlerInput<Body, Ctx extends AuthCore = AuthContext> {
  request: Request;
  body: Body;
  ctx: Ctx;
  /** The auth cookies the request carries, their signatures checked. */
  cookies: RequestAuthCookies;
  /** Where the request came from (the configured address header, the user agent). */
  client: ClientInfo;
  /** Whether cookies set on this answer are `Secure`. */
  secure: boolean;
}

/** One endpoint's declaration: its method, body schema and whether the cross-site checks apply. */
export interface HandlerSpec<Schema extends z.ZodType | undefined, UsesDatabase extends boolean> {
  method: Method;
  body?: Schema;
  /** The cross-site checks of docs/contract.md section 2 (cookie-bearing POSTs and sign-in). */
  sameSiteOnly?: boolean;
  /**
   * Every 401 `token_not_valid` of this endpoint clears the auth cookies (docs/contract.md section 2:
   * refresh, and log-off's duplicate-cookie refusal): a browser holding a dead refresh cookie
   * would otherwise send it again and again.
   */
  clearCookiesOnInvalidToken?: boolean;
  /** `false`: the endpoint reads no database (the JWKS), so it never opens one. */
  database?: UsesDatabase;
  /**
   * Whether the endpoint is switched on (`signUp`, `passwordReset`); when this says no, every
   * request is answered 404, before its method or body is looked at: the endpoint is not there.
   */
  enabled?: (config: AuthConfig) => boolean;
  handle(
    input: HandlerInput<
      Schema extends z.ZodType ? z.infer<Schema> : undefined,
      UsesDatabase extends false ? AuthCore : AuthContext
    >,
  ): Promise<Response>;
}

type RouteHandler = (request: Request) => Promise<Response>;

function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join('.') : 'non_field_errors';
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

/**
 * Builds the route handlers of one endpoint. Does every HTTP chore once: 405 with `Allow` for
 * other methods, the cross-site checks, 415 / 413 / 400 for the body, the cookies and client
 * info, and the single catch that maps (and reports) errors through toErrorResponse().
 * @example export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = defineHandler({ method: 'POST', ... });
 */
export function defineHandler<
  Schema extends z.ZodType | undefined,
  UsesDatabase extends boolean = true,
>(spec: HandlerSpec<Schema, UsesDatabase>): Record<(typeof ALL_METHODS)[number], RouteHandler> {
  const allowed = spec.method === 'GET' ? ['GET', 'HEAD'] : [spec.method];
  const context = spec.database === false ? getAuthCore : getAuthContext;
  const handle: RouteHandler = async (request) => {
    let ctx: AuthCore | undefined;
    let secure = true;
    try {
      if (spec.enabled && !spec.enabled((await getAuthCore()).config)) throw new NotFound();
      if (!allowed.includes(request.method)) throw new MethodNotAllowed(allowed);
      ctx = await context();
      secure = isSecure(ctx.config, request.url);
      if (spec.sameSiteOnly && !isSameSiteRequest(ctx.config, request.headers))
        throw new CsrfFailed('CSRF Failed: cross-site request refused.', 'cross_site');
      let body: unknown;
      if (spec.body) {
        const parsed = spec.body.safeParse(await readJsonBody(request, ctx.config.maxBodyBytes));
        if (!parsed.success)
          throw new InvalidRequest('The request is not valid.', fieldErrors(parsed.error));
        body = parsed.data;
      }
      return await spec.handle({
        request,
        body: body as never,
        ctx: ctx as never,
        cookies: readAuthCookies(ctx.config, ctx.signer, request.headers.get('cookie')),
        client: clientInfo(ctx.config, request),
        secure,
      });
    } catch (error) {
      const config = ctx?.config;
      const path = new URL(request.url).pathname;
      if (config && error instanceof CsrfFailed) {
        // Not an auth event of section 6, but worth a line: a wave of these is an attack or a
        // misconfigured proxy (Origin / Host), one of them a client that lost its CSRF token.
        log(config, 'warn', 'csrf refused', {
          path,
          reason: error.reason,
          origin: request.headers.get('origin')?.slice(0, 200) ?? null,
          secFetchSite: request.headers.get('sec-fetch-site')?.slice(0, 40) ?? null,
        });
      }
      return toErrorResponse(error, {
        clearCookies:
          config && spec.clearCookiesOnInvalidToken
            ? () => clearAuthCookies(config, secure)
            : undefined,
        log: config,
        path,
      });
    }
  };
  return Object.fromEntries(ALL_METHODS.map((method) => [method, handle])) as Record<
    (typeof ALL_METHODS)[number],
    RouteHandler
  >;
}
