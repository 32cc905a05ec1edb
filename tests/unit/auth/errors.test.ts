import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import {
  AuthenticationFailed,
  CsrfFailed,
  EmailNotVerified,
  InvalidRequest,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  PermissionDenied,
  ServiceUnavailable,
  Throttled,
  TokenNotValid,
  UnsupportedMediaType,
  toErrorResponse,
  type AuthError,
} from '@/auth/errors';

async function bodyOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

/** An error the way Drizzle wraps a driver's failure to connect. */
function wrappedConnectionError(code = 'ECONNREFUSED'): Error {
  const cause = Object.assign(new Error('connect failed'), { code });
  return new Error('Failed query: select 1', { cause });
}

const CONTRACT_ERRORS: [string, () => AuthError, number, string][] = [
  ['InvalidRequest', () => new InvalidRequest(), 400, 'invalid_request'],
  ['UnsupportedMediaType', () => new UnsupportedMediaType(), 415, 'unsupported_media_type'],
  ['PayloadTooLarge', () => new PayloadTooLarge(), 413, 'payload_too_large'],
  ['AuthenticationFailed', () => new AuthenticationFailed(), 401, 'authentication_failed'],
  ['TokenNotValid', () => new TokenNotValid(), 401, 'token_not_valid'],
  ['CsrfFailed', () => new CsrfFailed(), 403, 'csrf_failed'],
  ['EmailNotVerified', () => new EmailNotVerified(), 403, 'email_not_verified'],
  ['PermissionDenied', () => new PermissionDenied(), 403, 'permission_denied'],
  ['NotFound', () => new NotFound(), 404, 'not_found'],
  ['MethodNotAllowed', () => new MethodNotAllowed(['POST']), 405, 'method_not_allowed'],
  ['Throttled', () => new Throttled(60), 429, 'throttled'],
  ['ServiceUnavailable', () => new ServiceUnavailable(), 503, 'service_unavailable'],
];

describe('toErrorResponse', () => {
  describe.each(CONTRACT_ERRORS)('for %s', (_name, make, status, code) => {
    it(`answers ${status}`, () => {
      expect(toErrorResponse(make()).status).toBe(status);
    });

    it(`answers { detail, code: "${code}" } and nothing else`, async () => {
      const body = await bodyOf(toErrorResponse(make()));
      expect(Object.keys(body).sort()).toEqual(['code', 'detail']);
      expect(body.code).toBe(code);
    });

    it('gives a human-readable detail', async () => {
      expect(typeof (await bodyOf(toErrorResponse(make()))).detail).toBe('string');
    });

    it('answers JSON that is never cached', () => {
      const { headers } = toErrorResponse(make());
      expect([headers.get('content-type'), headers.get('cache-control')]).toEqual([
        'application/json',
        'no-store',
      ]);
    });
  });

  it('adds field errors to invalid_request', async () => {
    const body = await bodyOf(
      toErrorResponse(new InvalidRequest('Bad.', { username: ['This field is required.'] })),
    );
    expect(body).toMatchObject({
      code: 'invalid_request',
      errors: { username: ['This field is required.'] },
    });
  });

  it('sends Allow with method_not_allowed', () => {
    expect(toErrorResponse(new MethodNotAllowed(['GET', 'HEAD'])).headers.get('allow')).toBe(
      'GET, HEAD',
    );
  });

  it('sends Retry-After in whole seconds, rounded up, with throttled', () => {
    expect(toErrorResponse(new Throttled(12.2)).headers.get('retry-after')).toBe('13');
  });

  it('sends a Retry-After of at least one second with throttled', () => {
    expect(toErrorResponse(new Throttled(0)).headers.get('retry-after')).toBe('1');
  });

  it('sends Retry-After with service_unavailable', () => {
    expect(
      Number(toErrorResponse(new ServiceUnavailable()).headers.get('retry-after')),
    ).toBeGreaterThan(0);
  });

  it('sends WWW-Authenticate: Bearer for a missing or bad Bearer token', () => {
    expect(
      toErrorResponse(new TokenNotValid(undefined, { bearer: true })).headers.get(
        'www-authenticate',
      ),
    ).toMatch(/^Bearer\b/);
  });

  it('sends no WWW-Authenticate for a bad cookie token', () => {
    expect(toErrorResponse(new TokenNotValid()).headers.has('www-authenticate')).toBe(false);
  });

  it('does not share headers between two errors of one class', () => {
    toErrorResponse(new TokenNotValid(undefined, { bearer: true }));
    expect(new TokenNotValid().headers).toEqual({});
  });

  describe('clearing cookies', () => {
    const CLEARING = [
      'refresh_cookie=; Path=/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      'session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ];

    it('appends the Set-Cookie values of the clearCookies hook to a token_not_valid answer', () => {
      const response = toErrorResponse(new TokenNotValid(), { clearCookies: () => CLEARING });
      expect(response.headers.getSetCookie()).toEqual(CLEARING);
    });

    it('does not call the hook for an error other than token_not_valid', () => {
      const clearCookies = vi.fn(() => CLEARING);
      toErrorResponse(new CsrfFailed(), { clearCookies });
      expect(clearCookies).not.toHaveBeenCalled();
    });

    it('sets no cookie for an error other than token_not_valid', () => {
      expect(
        toErrorResponse(new CsrfFailed(), { clearCookies: () => CLEARING }).headers.getSetCookie(),
      ).toEqual([]);
    });

    it('sets no cookie without a hook', () => {
      expect(toErrorResponse(new TokenNotValid()).headers.getSetCookie()).toEqual([]);
    });
  });

  /** The JSON lines written to stderr while a test runs. */
  let stderr: MockInstance<typeof console.error>;
  const logged = () => stderr.mock.calls.map(([line]) => JSON.parse(String(line)));
  beforeEach(() => {
    stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => stderr.mockRestore());

  describe('a lost database connection', () => {
    it('answers 503 service_unavailable for ECONNREFUSED wrapped in a cause', async () => {
      const response = toErrorResponse(wrappedConnectionError());
      expect([response.status, (await bodyOf(response)).code]).toEqual([
        503,
        'service_unavailable',
      ]);
    });

    it('sends Retry-After', () => {
      expect(toErrorResponse(wrappedConnectionError()).headers.has('retry-after')).toBe(true);
    });

    it.each(['ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '08006', '53300', '57014'])(
      'answers 503 for the code %s',
      (code) => {
        expect(toErrorResponse(wrappedConnectionError(code)).status).toBe(503);
      },
    );

    it('answers 503 when the reply did not come within the deadline (a stall: "Query read timeout")', () => {
      const error = new Error('Failed query', { cause: new Error('Query read timeout') });
      expect(toErrorResponse(error).status).toBe(503);
    });

    it("answers 503 for PGlite's DatabaseLockedError", () => {
      const error = Object.assign(new Error('locked'), { name: 'DatabaseLockedError' });
      expect(toErrorResponse(error).status).toBe(503);
    });

    it('does not report it as unexpected: one warning, "service unavailable", naming the path', () => {
      toErrorResponse(wrappedConnectionError(), { path: '/auth/refresh/' });
      expect(logged().map((line) => [line.level, line.msg, line.path])).toEqual([
        ['warn', 'service unavailable', '/auth/refresh/'],
      ]);
    });

    it('writes no line for a contract error (a 503 the kit raised itself, a 401)', () => {
      toErrorResponse(new ServiceUnavailable());
      toErrorResponse(new TokenNotValid());
      expect(stderr).not.toHaveBeenCalled();
    });

    it('answers 500 for a query error that is not a lost connection (a unique violation)', () => {
      const error = new Error('Failed query', {
        cause: Object.assign(new Error('duplicate key'), { code: '23505' }),
      });
      expect(toErrorResponse(error).status).toBe(500);
    });
  });

  describe('an unexpected error', () => {
    const secretError = () =>
      new TypeError('cannot read properties of undefined (reading "eyJhbGciOiJFUzI1NiJ9.secret")');

    it('answers 500', () => {
      expect(toErrorResponse(secretError()).status).toBe(500);
    });

    it('answers a generic body with only detail and code', async () => {
      const body = await bodyOf(toErrorResponse(secretError()));
      expect([Object.keys(body).sort(), body.code]).toEqual([['code', 'detail'], 'server_error']);
    });

    it('never puts the message or the stack in the body', async () => {
      const error = secretError();
      const text = await toErrorResponse(error).text();
      expect([
        text.includes('eyJhbGciOiJFUzI1NiJ9'),
        text.includes(' at '),
        text.includes('TypeError'),
      ]).toEqual([false, false, false]);
    });

    it('reports it itself: one error line with the path, the message and the stack', () => {
      toErrorResponse(secretError(), { path: '/auth/sign-in/' });
      const lines = logged();
      expect(lines.map((line) => [line.level, line.msg, line.path])).toEqual([
        ['error', 'unexpected error', '/auth/sign-in/'],
      ]);
      expect(lines[0].error).toMatch(/^TypeError: cannot read properties[\s\S]* at /);
    });

    it('reports a failed query without its bound values', () => {
      const error = Object.assign(new Error('Failed query: select $1\nparams: hunter2-password'), {
        query: 'select $1',
        params: ['hunter2-password'],
        cause: new Error('syntax error'),
      });
      toErrorResponse(error);
      expect(stderr).toHaveBeenCalledTimes(1);
      expect(String(stderr.mock.calls[0]![0])).not.toContain('hunter2-password');
    });

    it('follows the configured threshold: AUTH_LOG_LEVEL=silent writes nothing', () => {
      toErrorResponse(secretError(), { log: { logLevel: 'silent' } });
      expect(stderr).not.toHaveBeenCalled();
    });

    it('does not clear cookies', () => {
      expect(
        toErrorResponse(secretError(), {
          clearCookies: () => ['a=; Path=/'],
        }).headers.getSetCookie(),
      ).toEqual([]);
    });

    it.each([
      ['a string', 'boom'],
      ['null', null],
      ['undefined', undefined],
      ['a plain object', { code: 42 }],
    ])('answers 500 when %s is thrown', (_name, thrown) => {
      expect(toErrorResponse(thrown).status).toBe(500);
    });

    it('answers JSON that is never cached', () => {
      const { headers } = toErrorResponse(secretError());
      expect([headers.get('content-type'), headers.get('cache-control')]).toEqual([
        'application/json',
        'no-store',
      ]);
    });
  });
});
