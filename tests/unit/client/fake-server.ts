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
  created: string;
}

interface IssuedAccess {
  userId: number;
  sid: string;
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

/** A small stand-in for the kit's password rules: the messages of a refused password, or null. */
function passwordErrors(password: unknown): string[] | null {
  if (typeof password !== 'string' || password.length < 8)
    return ['This password is too short. It must contain at least 8 characters.'];
  if (/^\d+$/.test(password)) return ['This password is entirely numeric.'];
  return null;
}

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
  /** Sign-up with `requireEmailVerification` (202 and a mail) or without it (201 and tokens). */
  requireEmailVerification = true;
  /** Mailed tokens that can still be used, and the user each one verifies. */
  mailedTokens = new Map<string, number>();
  /** Users whose address is verified. */
  verified = new Set<number>([7]);
  /** What the "mail server" received, newest last. */
  mails: { to: string; kind: 'verify' | 'reset' | 'change' | 'exists' }[] = [];
  /** The body of the last token answer (sign-in, refresh, social exchange). */
  lastAnswer: {
    access_token: string;
    expires: number;
    CSRF_token: string;
    user: Record<string, unknown>;
  } | null = null;

  protected sessions = new Map<string, Session>();
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
      created: new Date().toISOString(),
    };
    this.sessions.set(session.sid, session);
    this.cookie = session.sid;
    return session.csrf;
  }

  /** Makes every access token issued so far unacceptable (as after a key rotation). */
  rejectIssuedAccessTokens(): void {
    this.access.clear();
  }

  /** A live session of `username` in another browser (not this cookie); returns its sid. */
  seedOtherSession(username = 'alice'): string {
    const user = this.user(username);
    const sid = newId('sid');
    this.sessions.set(sid, {
      sid,
      userId: user.id,
      csrf: newId('csrf'),
      revoked: false,
      created: new Date().toISOString(),
    });
    return sid;
  }

  /** The live sessions of `username`. */
  liveSessions(username = 'alice'): string[] {
    const user = this.user(username);
    return [...this.sessions.values()]
      .filter((session) => session.userId === user.id && !session.revoked)
      .map((session) => session.sid);
  }

  /** Mails a token for `username` as a verification or reset link would carry it. */
  mailToken(username = 'alice'): string {
    const token = newId('mailed');
    this.mailedTokens.set(token, this.user(username).id);
    return token;
  }

  private user(username: string): FakeUser {
    const user = this.users.find((candidate) => candidate.username === username);
    if (!user) throw new Error(`no fake user ${username}`);
    return user;
  }

  protected issue(user: FakeUser, session: Session): Response {
    const iat = nowSeconds();
    const exp = iat + this.accessLifetime;
    const token = makeJwt({
      token_type: 'access',
      user_id: user.id,
      sub: String(user.id),
      sid: session.sid,
      jti: newId('jti').replace(/-/g, ''),
      iat,
      exp,
      username: user.username,
      full_name: `${user.first_name} ${user.last_name}`,
    });
    this.access.set(token, { userId: user.id, sid: session.sid, exp });
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

  protected openSession(user: FakeUser): Response {
    const session: Session = {
      sid: newId('sid'),
      userId: user.id,
      csrf: newId('csrf'),
      revoked: false,
      created: new Date().toISOString(),
    };
    this.sessions.set(session.sid, session);
    return this.issue(user, session);
  }

  protected bearer(call: RecordedCall): IssuedAccess | null {
    const match = /^Bearer (\S+)$/.exec(call.headers.get('authorization') ?? '');
    const issued = match ? this.access.get(match[1]!) : undefined;
    return issued && issued.exp > nowSeconds() ? issued : null;
  }

  private revokeAll(userId: number, except?: string): void {
    for (const session of this.sessions.values())
      if (session.userId === userId && session.sid !== except) session.revoked = true;
  }

  private currentSession(): Session | null {
    const session = this.cookie ? this.sessions.get(this.cookie) : undefined;
    return session && !session.revoked ? session : null;
  }

  protected handle(call: RecordedCall): Response {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const post = (handler: () => Response) =>
      call.method === 'POST'
        ? handler()
        : problem(405, 'method_not_allowed', `Method "${call.method}" not allowed.`, {
            Allow: 'POST',
          });
    const invalid = (errors: Record<string, string[]>) =>
      json(400, { detail: 'The request is not valid.', code: 'invalid_request', errors });
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
      case '/auth/sign-up/':
        return post(() => {
          const { username, email, password } = body;
          if (typeof username !== 'string' || typeof email !== 'string' || !username || !email)
            return invalid({ username: ['This field is required.'] });
          const weak = passwordErrors(password);
          const taken = this.users.some((user) => user.username === username);
          if (taken || weak)
            return invalid({
              ...(taken ? { username: ['A user with that username already exists.'] } : {}),
              ...(weak ? { password: weak } : {}),
            });
          const existing = this.users.find((user) => user.email === email);
          if (existing) {
            this.mails.push({ to: email, kind: 'exists' });
            return json(202, { detail: 'Check your inbox.' });
          }
          const user: FakeUser = {
            id: 100 + this.users.length,
            username,
            password: password as string,
            email,
            first_name: String(body.first_name ?? ''),
            last_name: String(body.last_name ?? ''),
          };
          this.users.push(user);
          if (!this.requireEmailVerification) {
            const response = this.openSession(user);
            return new Response(response.body, { status: 201, headers: response.headers });
          }
          this.mails.push({ to: email, kind: 'verify' });
          return json(202, { detail: 'Check your inbox.' });
        });
      case '/auth/email/verify/':
        return post(() => {
          const userId =
            typeof body.token === 'string' ? this.mailedTokens.get(body.token) : undefined;
          if (userId === undefined)
            return problem(400, 'invalid_token', 'This link is not valid any more.');
          this.mailedTokens.delete(body.token as string);
          this.verified.add(userId);
          return this.openSession(this.users.find((user) => user.id === userId)!);
        });
      case '/auth/email/resend/':
      case '/auth/password-reset/':
        return post(() => {
          if (typeof body.email !== 'string' || !body.email)
            return invalid({ email: ['Enter a valid e-mail address.'] });
          if (this.users.some((user) => user.email === body.email))
            this.mails.push({
              to: body.email,
              kind: call.path === '/auth/password-reset/' ? 'reset' : 'verify',
            });
          return json(202, { detail: 'If an account has that address, a link is on its way.' });
        });
      case '/auth/password-reset/confirm/':
        return post(() => {
          const userId =
            typeof body.token === 'string' ? this.mailedTokens.get(body.token) : undefined;
          if (userId === undefined)
            return problem(400, 'invalid_token', 'This link is not valid any more.');
          const weak = passwordErrors(body.password);
          if (weak) return invalid({ password: weak });
          this.mailedTokens.delete(body.token as string);
          this.users.find((user) => user.id === userId)!.password = body.password as string;
          this.revokeAll(userId);
          return json(200, { detail: 'Your password is set.' });
        });
      case '/auth/password/':
        return post(() => {
          const caller = this.bearer(call);
          if (!caller) return tokenNotValid(true);
          const user = this.users.find((candidate) => candidate.id === caller.userId)!;
          if (body.current_password !== user.password)
            return invalid({ current_password: ['Your current password is not correct.'] });
          const weak = passwordErrors(body.new_password);
          if (weak) return invalid({ new_password: weak });
          user.password = body.new_password as string;
          this.revokeAll(user.id, caller.sid);
          return this.issue(user, this.sessions.get(caller.sid)!);
        });
      case '/auth/email/change/':
        return post(() => {
          const caller = this.bearer(call);
          if (!caller) return tokenNotValid(true);
          const user = this.users.find((candidate) => candidate.id === caller.userId)!;
          if (body.password !== user.password)
            return invalid({ password: ['Your password is not correct.'] });
          this.mails.push({ to: String(body.new_email), kind: 'change' });
          return json(202, { detail: 'Check your new inbox.' });
        });
      case '/auth/account/': {
        if (call.method !== 'GET')
          return problem(405, 'method_not_allowed', `Method "${call.method}" not allowed.`, {
            Allow: 'GET',
          });
        const caller = this.bearer(call);
        if (!caller) return tokenNotValid(true);
        const user = this.users.find((candidate) => candidate.id === caller.userId)!;
        return json(200, {
          user: { username: user.username, email: user.email },
          email_verified: this.verified.has(user.id),
          has_password: user.password !== '!',
          identities: [],
          mfa: { totp: false, passkeys: 0, recovery_codes_left: 0 },
        });
      }
      case '/auth/account/delete/':
        return post(() => {
          const caller = this.bearer(call);
          if (!caller) return tokenNotValid(true);
          const user = this.users.find((candidate) => candidate.id === caller.userId)!;
          if (body.password !== user.password)
            return invalid({ password: ['Your password is not correct.'] });
          this.revokeAll(user.id);
          this.users = this.users.filter((candidate) => candidate !== user);
          this.cookie = null;
          return json(200, { detail: 'Your account is deleted.' });
        });
      case '/auth/sessions/': {
        if (call.method !== 'GET')
          return problem(405, 'method_not_allowed', `Method "${call.method}" not allowed.`, {
            Allow: 'GET',
          });
        const caller = this.bearer(call);
        if (!caller) return tokenNotValid(true);
        return json(200, {
          sessions: [...this.sessions.values()]
            .filter((session) => session.userId === caller.userId && !session.revoked)
            .map((session) => ({
              sid: session.sid,
              created: session.created,
              last_used: session.created,
              user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0',
              current: session.sid === this.cookie,
            })),
        });
      }
      case '/auth/sessions/revoke/':
        return post(() => {
          const caller = this.bearer(call);
          if (!caller) return tokenNotValid(true);
          const session = typeof body.sid === 'string' ? this.sessions.get(body.sid) : undefined;
          if (!session || session.userId !== caller.userId || session.revoked)
            return problem(404, 'not_found', 'No such session.');
          session.revoked = true;
          return json(200, { detail: 'Session revoked.' });
        });
      default:
        return problem(404, 'not_found', 'Not found.');
    }
  }
}
