import { describeError, isConnectionError } from '@/db/errors';
import { log, UNCONFIGURED, type LogSettings } from '@/log';

/**
 * The kit's typed errors, one class per code (docs/contract.md section 2), and the one place
 * that turns an error into the JSON error body `{ detail, code, errors? }` plus its headers.
 */
export abstract class AuthError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`). */
  headers: Record<string, string> = {};
  /** Field errors for `invalid_request`. */
  errors?: Record<string, string[]>;
}

/** 400: malformed JSON, wrong types, missing or empty fields. */
export class InvalidRequest extends AuthError {
  readonly code = 'invalid_request';
  readonly status = 400;
  constructor(detail = 'The request is not valid.', errors?: Record<string, string[]>) {
    super(detail);
    this.errors = errors;
  }
}

/** 415: a body that is not application/json. */
export class UnsupportedMediaType extends AuthError {
  readonly code = 'unsupported_media_type';
  readonly status = 415;
  constructor(detail = 'The request body must be application/json.') {
    super(detail);
    // The body was refused unread: close the connection rather than leave its rest on the wire.
    this.headers.Connection = 'close';
  }
}

/** 413: a body over the configured limit. */
export class PayloadTooLarge extends AuthError {
  readonly code = 'payload_too_large';
  readonly status = 413;
  constructor(detail = 'The request body is too large.') {
    super(detail);
    // The body was not read to its end: close the connection rather than leave the rest on the wire.
    this.headers.Connection = 'close';
  }
}

/** 408: the body did not arrive within the reading deadline (a slow or stalled client). */
export class RequestTimeout extends AuthError {
  readonly code = 'request_timeout';
  readonly status = 408;
  constructor(detail = 'The request body was not received in time.') {
    super(detail);
    // The rest of the body may still be on its way: close the connection rather than read it.
    this.headers.Connection = 'close';
  }
}

/** 401: wrong credentials, inactive user, or an IdP token rejected. */
export class AuthenticationFailed extends AuthError {
  readonly code = 'authentication_failed';
  readonly status = 401;
  constructor(detail = 'No active account found with the given credentials.') {
    super(detail);
  }
}

/** 401: a missing, malformed, expired, tampered, blacklisted or reused token. */
export class TokenNotValid extends AuthError {
  readonly code = 'token_not_valid';
  readonly status = 401;
  constructor(detail = 'Token is invalid or expired.', { bearer = false } = {}) {
    super(detail);
    if (bearer) this.headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  }
}

/** 403: the CSRF token is missing or does not match, or the request is cross-site. */
export class CsrfFailed extends AuthError {
  readonly code = 'csrf_failed';
  readonly status = 403;
  /** Why, for the log line (never sent to the client). */
  readonly reason: CsrfFailureReason;
  constructor(
    detail = 'CSRF Failed: CSRF token missing or incorrect.',
    reason: CsrfFailureReason = 'mismatch',
  ) {
    super(detail);
    this.reason = reason;
  }
}

/** Which part of the cross-site defences refused a request (`other_session`: a tossed refresh cookie). */
export type CsrfFailureReason =
  'cross_site' | 'missing_cookie' | 'missing_token' | 'mismatch' | 'other_session';

/**
 * 403: the e-mail address is not verified: the IdP says so at a social exchange, or an account
 * created by sign-up signs in before its address is confirmed (docs/contract.md section 8).
 */
export class EmailNotVerified extends AuthError {
  readonly code = 'email_not_verified';
  readonly status = 403;
  constructor(detail = 'The identity provider has not verified this email address.') {
    super(detail);
  }
}

/**
 * 400: a mailed token (a verification, e-mail change or password-reset link) that cannot be used:
 * unknown, used, superseded by a newer link, or expired (docs/contract.md section 8).
 */
export class InvalidToken extends AuthError {
  readonly code = 'invalid_token';
  readonly status = 400;
  constructor(
    detail = 'This link is not valid: it was used already, a newer one was sent, or it has expired. Ask for a new one.',
  ) {
    super(detail);
  }
}

/** 403: an authenticated user lacks a required role. */
export class PermissionDenied extends AuthError {
  readonly code = 'permission_denied';
  readonly status = 403;
  constructor(detail = 'You do not have permission to perform this action.') {
    super(detail);
  }
}

/** 404: a resource that is not the caller's (a session id). */
export class NotFound extends AuthError {
  readonly code = 'not_found';
  readonly status = 404;
  constructor(detail = 'Not found.') {
    super(detail);
  }
}

/** 405: any method but the documented ones. */
export class MethodNotAllowed extends AuthError {
  readonly code = 'method_not_allowed';
  readonly status = 405;
  constructor(allowed: string[]) {
    super(`Method not allowed; use ${allowed.join(', ')}.`);
    this.headers.Allow = allowed.join(', ');
  }
}

/** 429: too many failed sign-ins, or too many account requests from one client. */
export class Throttled extends AuthError {
  readonly code = 'throttled';
  readonly status = 429;
  constructor(retryAfterSeconds: number, what = 'sign-in attempts') {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(`Too many ${what}. Try again in ${seconds} seconds.`);
    this.headers['Retry-After'] = String(seconds);
  }
}

/** 503: the database cannot be reached; nothing was issued. */
export class ServiceUnavailable extends AuthError {
  readonly code = 'service_unavailable';
  readonly status = 503;
  constructor(
    detail = 'The service is temporarily unavailable. Try again shortly.',
    retryAfterSeconds = 5,
  ) {
    super(detail);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** A user-management command that cannot be carried out (CLI); never reaches HTTP. */
export class UserCommandError extends Error {
  override name = 'UserCommandError';
}

/** Options for {@link toErrorResponse}. */
export interface ErrorResponseOptions {
  /**
   * `Set-Cookie` values that clear the auth cookies, appended to a 401 `token_not_valid` (the
   * endpoints that declare `clearCookiesOnInvalidToken`: refresh and log-off).
   */
  clearCookies?: () => string[];
  /** The log threshold (the configuration); without it every report is written. */
  log?: LogSettings;
  /** The request's path, named in the report. */
  path?: string;
}

/** Maps an unexpected error to its contract error when there is one (a lost database: 503). */
export function classifyError(error: unknown): AuthError | null {
  if (error instanceof AuthError) return error;
  if (isConnectionError(error) || (error as Error)?.name === 'DatabaseLockedError')
    return new ServiceUnavailable();
  return null;
}

/**
 * Reports what the operator must hear of: an unexpected error (with its stack) and a lost
 * database. describeError() keeps the bound SQL values (passwords, tokens) out of the line.
 */
function reportError(error: unknown, known: AuthError | null, options: ErrorResponseOptions) {
  const settings = options.log ?? UNCONFIGURED;
  const path = options.path === undefined ? {} : { path: options.path };
  if (!known)
    log(settings, 'error', 'unexpected error', {
      ...path,
      error: describeError(error, { stack: true }),
    });
  else if (!(error instanceof AuthError))
    log(settings, 'warn', 'service unavailable', { ...path, error: describeError(error) });
}

/**
 * The one place that turns an error into a response: `{ detail, code, errors? }` with the error's
 * headers. Anything unknown is logged and answered with a generic 500, never with a stack; a lost
 * database is logged and answered 503.
 */
export function toErrorResponse(error: unknown, options: ErrorResponseOptions = {}): Response {
  const known = classifyError(error);
  reportError(error, known, options);
  const headers = new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  if (!known) {
    return new Response(
      JSON.stringify({ detail: 'Internal server error.', code: 'server_error' }),
      { status: 500, headers },
    );
  }
  for (const [name, value] of Object.entries(known.headers)) headers.set(name, value);
  if (known instanceof TokenNotValid && options.clearCookies)
    for (const cookie of options.clearCookies()) headers.append('Set-Cookie', cookie);
  const body = {
    detail: known.message,
    code: known.code,
    ...(known.errors ? { errors: known.errors } : {}),
  };
  return new Response(JSON.stringify(body), { status: known.status, headers });
}
