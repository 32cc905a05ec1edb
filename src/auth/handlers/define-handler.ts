import type { z } from 'zod';
import { getAuthContext, type AuthContext } from '../context';
import { clearAuthCookies, isSecure } from '../cookies/auth-cookies';
import { isSameSiteRequest } from '../csrf/origin';
import {
  AuthError,
  classifyError,
  CsrfFailed,
  InvalidRequest,
  MethodNotAllowed,
  toErrorResponse,
} from '../errors';
import { describeError } from '@/db/errors';
import { log } from '@/log';
import { readJsonBody } from './body';

type Method = 'GET' | 'POST';
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** What a handler body receives: the request, its parsed body, the auth context, and helpers. */
export interface HandlerInput<Body> {
  request: Request;
  body: Body;
  ctx: AuthContext;
  /** Whether cookies set on this answer are `Secure`. */
  secure: boolean;
}

/** One endpoint's declaration: its method, body schema and whether the cross-site checks apply. */
export interface HandlerSpec<Schema extends z.ZodType | undefined> {
  method: Method;
  body?: Schema;
  /** The cross-site checks of CONTRACT.md section 2 (cookie-bearing POSTs and sign-in). */
  sameSiteOnly?: boolean;
  handle(
    input: HandlerInput<Schema extends z.ZodType ? z.infer<Schema> : undefined>,
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
 * other methods, the cross-site checks, 415 / 413 / 400 for the body, and the single catch that
 * maps errors through toErrorResponse().
 * @example export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = defineHandler({ method: 'POST', ... });
 */
export function defineHandler<Schema extends z.ZodType | undefined>(
  spec: HandlerSpec<Schema>,
): Record<(typeof ALL_METHODS)[number], RouteHandler> {
  const allowed = spec.method === 'GET' ? ['GET', 'HEAD'] : [spec.method];
  const handle: RouteHandler = async (request) => {
    let ctx: AuthContext | undefined;
    let secure = true;
    try {
      if (!allowed.includes(request.method)) throw new MethodNotAllowed(allowed);
      ctx = await getAuthContext();
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
      return await spec.handle({ request, body: body as never, ctx, secure });
    } catch (error) {
      const config = ctx?.config;
      if (config && error instanceof CsrfFailed) {
        // Not an auth event of section 6, but worth a line: a wave of these is an attack or a
        // misconfigured proxy (Origin / Host), one of them a client that lost its CSRF token.
        log(config, 'warn', 'csrf refused', {
          path: new URL(request.url).pathname,
          reason: error.reason,
          origin: request.headers.get('origin')?.slice(0, 200) ?? null,
          secFetchSite: request.headers.get('sec-fetch-site')?.slice(0, 40) ?? null,
        });
      }
      if (!(error instanceof AuthError) && classifyError(error)) {
        log(config ?? { logLevel: 'warn' }, 'warn', 'service unavailable', {
          path: new URL(request.url).pathname,
          error: describeError(error),
        });
      }
      return toErrorResponse(error, {
        clearCookies: config ? () => clearAuthCookies(config, secure) : undefined,
        logUnexpected: (e) =>
          log(config ?? { logLevel: 'error' }, 'error', 'unexpected error', {
            path: new URL(request.url).pathname,
            error: describeError(e, { stack: true }),
          }),
      });
    }
  };
  return Object.fromEntries(ALL_METHODS.map((method) => [method, handle])) as Record<
    (typeof ALL_METHODS)[number],
    RouteHandler
  >;
}
