import { vi } from 'vitest';

/**
 * An in-memory stand-in for the kit's endpoints, installed as `globalThis.fetch` so the client
 * tests never touch a network. It answers like the real handlers (docs/contract.md section 2):
 * `{ access_token, expires, CSRF_token, user }` on success, `{ detail, code }` with the status on
 * errors, `Retry-After` on 429. The "browser's" HttpOnly refresh cookie is modelled by `cookie`
 * (the session id the server would read from it).
 */

export interface FakeUser {
  id: number;
  username: string;
  password: string;
  email: string;
  first_name: string;
  last_name: string;
}

/** One request the client sent, as the server saw it. */
export interface RecordedCall {
  method: string;
  path: string;
  headers: Headers;
  /** The parsed JSON body (or the raw text when it is not JSON; null when empty). */
  body: unknown;
  /** Whether the stubbed Web Lock 'auth-kit.refresh' was held when the request went out. */
  lockHeld: boolean;
}

/** A one-off answer queued for a path: a Response, or 'network' for a fetch that rejects. */
export type Override =
  Response | 'network' | ((call: RecordedCall) => Response | Promise<Response>);

interface Session {
  sid: string;
  userId: number;
  csrf: string;
  revoked: boolean;
}

interface IssuedAccess {
  userId: number;
  exp: number;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** A real-looking but unsigned JWT (`alg: none`, empty signature segment). */
export function makeJwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'none', typ: 'at+jwt' },
): string {
  return `${b64url(header)}.${b64url(payload)}.`;
}

/** Decodes a JWT's payload (test side, independent of the client's decoder). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** A JSON answer like the kit's `respond()`. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  });
}

/** The kit's error body. */
export function problem(
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { detail, code }, headers);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

let counter = 0;
const newId = (prefix: string) =>
  `${prefix}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export class FakeAuthServer {
  users: FakeUser[] = [
    {
      id: 7,
      username: 'alice',
      password: 'correct horse battery staple',
      email: 'alice@example.com',
      first_name: 'Alice',
      last_name: 'Ærø',
    },
    {
      id: 8,
      username: 'bob',
      password: 'hunter22hunter22',
      email: 'bob@example.com',
      first_name: 'Bob',
      last_name: 'Builder',
    },
  ];
  /** Access-token lifetime in seconds (the kit's default is 5 minutes). */
  accessLifetime = 300;
  /** Failed sign-ins per username before the server answers 429. */
  throttleLimit = 5;
  throttleRetryAfter = 42;
  /** The session id the browser's HttpOnly refresh cookie points to (null: no cookie). */
  cookie: string | null = null;
  /** Every request, in order. */
  calls: RecordedCall[] = [];
  /** Set by the Web Locks stub while the lock is held. */
  lockHeld = false;
  /** The body of the last token answer (sign-in, refresh, social exchange). */
  lastAnswer: {
    access_token: string;
    expires: number;
    CSRF_token: string;
    user: Record<string, unknown>;
  } | null = null;

  private sessions = new Map<string, Session>();
  private access = new Map<string, IssuedAccess>();
  private failures = new Map<string, number>();
  private overrides = new Map<string, Override[]>();

  /** The stub to install as `globalThis.fetch`. */
  readonly fetch = vi.fn(
    async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      // Build the Request the browser would build: init.headers replaces a Request's headers, etc.
      const request = new Request(
        input instanceof Request ? input : new URL(String(input), 'http://localhost:3000'),
        init,
      );
      const text = await request.text();
      let body: unknown = null;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const call: RecordedCall = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body,
        lockHeld: this.lockHeld,
      };
      this.calls.push(call);
      const override = this.overrides.get(call.path)?.shift();
      if (override === 'network') throw new TypeError('Failed to fetch');
      if (override) return typeof override === 'function' ? override(call) : override;
      return this.handle(call);
    },
  );

  /** Queues a one-off answer for the next request to `path`. */
  next(path: string, answer: Override): this {
    const queue = this.overrides.get(path) ?? [];
    queue.push(answer);
    this.overrides.set(path, queue);
    return this;
  }

  /** The requests sent to one path. */
  callsTo(path: string): RecordedCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  /** A signed-in session as if from an earlier page load: sets the refresh cookie, returns the CSRF token. */
  seedSession(username = 'alice'): string {
    const user = this.user(username);
    const session: Session = {
      sid: newId('sid'),
      userId: user.id,
      csrf: newId('csrf'),
      revoked: false,
    };
    this.sessions.set(session.sid, session);
    this.cookie = session.sid;
    return session.csrf;
  }

  /** Makes every access token issued so far unacceptable (as after a key rotation). */
  rejectIssuedAccessTokens(): void {
    this.access.clear();
  }

  private user(username: string): FakeUser {
    const user = this.users.find((candidate) => candidate.username === username);
    if (!user) throw new Error(`no fake user ${username}`);
    return user;
  }

  private issue(user: FakeUser, session: Session): Response {
    const iat = nowSeconds();
    const exp = iat + this.accessLifetime;
    const token = makeJwt({
      token_type: 'access',
      user_id: user.id,
      sub: String(user.id),
      jti: newId('jti').replace(/-/g, ''),
      iat,
      exp,
      username: user.username,
      full_name: `${user.first_name} ${user.last_name}`,
    });
    this.access.set(token, { userId: user.id, exp });
    this.cookie = session.sid;
    this.lastAnswer = {
      access_token: token,
      expires: exp,
      CSRF_token: session.csrf,
      user: {
        username: user.username,
        email: user.email,
        first_name: user.first_name,
        last_name: user.last_name,
      },
    };
    return json(200, this.lastAnswer);
  }

  private openSession(user: FakeUser): Response {
    const session: Session = {
      sid: newId('sid'),
      userId: user.id,
      csrf: newId('csrf'),
      revoked: false,
    };
    this.sessions.set(session.sid, session);
    return this.issue(user, session);
  }

  private bearer(call: RecordedCall): IssuedAccess | null {
    const match = /^Bearer (\S+)$/.exec(call.headers.get('authorization') ?? '');
    const issued = match ? this.access.get(match[1]!) : undefined;
    return issued && issued.exp > nowSeconds() ? issued : null;
  }

  private currentSession(): Session | null {
    const session = this.cookie ? this.sessions.get(this.cookie) : undefined;
    return session && !session.revoked ? session : null;
  }

  private handle(call: RecordedCall): Response {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const post = (handler: () => Response) =>
      call.method === 'POST'
        ? handler()
        : problem(405, 'method_not_allowed', `Method "${call.method}" not allowed.`, {
            Allow: 'POST',
          });
    const tokenNotValid = (bearer = false) =>
      problem(
        401,
        'token_not_valid',
        'Token is invalid or expired.',
        bearer ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {},
      );

    switch (call.path) {
      case '/auth/sign-in/':
        return post(() => {
          if (
            typeof body.username !== 'string' ||
            typeof body.password !== 'string' ||
            !body.username ||
            !body.password
          )
            return json(400, {
              detail: 'The request is not valid.',
              code: 'invalid_request',
              errors: { username: ['This field is required.'] },
            });
          const failed = this.failures.get(body.username) ?? 0;
          if (failed >= this.throttleLimit)
            return problem(
              429,
              'throttled',
              `Too many sign-in attempts. Try again in ${this.throttleRetryAfter} seconds.`,
              { 'Retry-After': String(this.throttleRetryAfter) },
            );
          const user = this.users.find((candidate) => candidate.username === body.username);
          if (!user || user.password !== body.password) {
            this.failures.set(body.username, failed + 1);
            return problem(
              401,
              'authentication_failed',
              'No active account found with the given credentials.',
            );
          }
          this.failures.delete(body.username);
          return this.openSession(user);
        });
      case '/auth/refresh/':
        return post(() => {
          const session = this.currentSession();
          if (!session) return tokenNotValid();
          if (body.CSRF_token !== session.csrf)
            return problem(403, 'csrf_failed', 'CSRF Failed: CSRF token missing or incorrect.');
          return this.issue(
            this.users.find((user) => user.id === session.userId)!,
            session,
          );
        });
      case '/auth/logoff/':
        return post(() => {
          const session = this.currentSession();
          if (session) {
            if (body.CSRF_token !== session.csrf)
              return problem(403, 'csrf_failed', 'CSRF Failed: CSRF token missing or incorrect.');
            session.revoked = true;
          }
          this.cookie = null;
          return json(200, { detail: 'Logged off.' });
        });
      case '/auth/logoff-all/':
        return post(() => {
          const caller = this.bearer(call);
          if (!caller) return tokenNotValid(true);
          let revoked = 0;
          for (const session of this.sessions.values())
            if (session.userId === caller.userId && !session.revoked) {
              session.revoked = true;
              revoked += 1;
            }
          this.cookie = null;
          return json(200, { detail: 'Logged off everywhere.', revoked });
        });
      case '/auth/social-exchange/':
        return post(() => {
          if (typeof body.id_token !== 'string' || typeof body.access_token !== 'string')
            return json(400, { detail: 'The request is not valid.', code: 'invalid_request' });
          let claims: Record<string, unknown>;
          try {
            claims = jwtPayload(body.id_token);
          } catch {
            return problem(
              401,
              'authentication_failed',
              'The identity provider token is not valid.',
            );
          }
          if (claims.token_use !== 'id')
            return problem(
              401,
              'authentication_failed',
              'The identity provider token is not valid.',
            );
          const username = String(claims['cognito:username'] ?? claims.email);
          let user = this.users.find((candidate) => candidate.username === username);
          if (!user) {
            user = {
              id: 100 + this.users.length,
              username,
              password: '!',
              email: String(claims.email ?? ''),
              first_name: '',
              last_name: '',
            };
            this.users.push(user);
          }
          return this.openSession(user);
        });
      case '/api/me': {
        if (call.method !== 'GET')
          return problem(405, 'method_not_allowed', `Method "${call.method}" not allowed.`, {
            Allow: 'GET',
          });
        const caller = this.bearer(call);
        if (!caller) return tokenNotValid(true);
        const claims = jwtPayload(call.headers.get('authorization')!.slice('Bearer '.length));
        return json(200, { user_id: claims.user_id, username: claims.username ?? null, claims });
      }
      default:
        return problem(404, 'not_found', 'Not found.');
    }
  }
}
