import { FakeAuthServer, json, problem, type RecordedCall } from './fake-server';

/**
 * The fake backend with the second-factor endpoints (docs/contract.md section 9), for the
 * client's TOTP tests: a user with TOTP on gets `{ mfa_required, mfa_token, methods }` from
 * sign-in (and from social exchange), finished at /auth/mfa/verify/ with `code` (the one
 * "current" code, once) or a recovery code (each once); the fifth wrong code kills the token.
 */
export class FakeMfaServer extends FakeAuthServer {
  /** Users with TOTP on. */
  totpOn = new Set<string>(['alice']);
  /** The code the "authenticator app" shows now. */
  currentCode = '246810';
  /** Recovery codes per username that still work. */
  recoveryCodes = new Map<string, string[]>([['alice', ['aaaa-bbbb-cccc', 'dddd-eeee-ffff']]]);
  /** Live mfa tokens: the user and the wrong codes so far. */
  mfaTokens = new Map<string, { username: string; failures: number; expired: boolean }>();
  /** Codes already used (a replay is refused). */
  usedCodes = new Set<string>();
  /** The pending secret of a setup, per username. */
  pendingSecret = new Map<string, string>();
  /** Sessions that re-authenticated. */
  reauthenticated: string[] = [];

  private tokenCount = 0;

  private secondStep(username: string): Response {
    const mfaToken = `mfa-${++this.tokenCount}-${Math.random().toString(36).slice(2)}`;
    this.mfaTokens.set(mfaToken, { username, failures: 0, expired: false });
    const left = this.recoveryCodes.get(username)?.length ?? 0;
    return json(200, {
      mfa_required: true,
      mfa_token: mfaToken,
      methods: left > 0 ? ['totp', 'recovery_code'] : ['totp'],
    });
  }

  /** Expires every mfa token issued so far (as five minutes passing would). */
  expireMfaTokens(): void {
    for (const token of this.mfaTokens.values()) token.expired = true;
  }

  private useCode(code: unknown): boolean {
    const digits = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
    if (digits !== this.currentCode || this.usedCodes.has(digits)) return false;
    this.usedCodes.add(digits);
    return true;
  }

  protected override handle(call: RecordedCall): Response {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const caller = () => this.bearer(call);
    const callerName = () => {
      const issued = caller();
      return issued ? this.users.find((user) => user.id === issued.userId)!.username : null;
    };
    const wrongCode = () =>
      json(400, {
        detail: 'The code is not correct.',
        code: 'invalid_request',
        errors: { code: ['That code is not correct, or it was used already.'] },
      });
    const confirmOk = (username: string) =>
      body.password !== undefined
        ? body.password === this.users.find((user) => user.username === username)!.password
        : this.useCode(body.code);
    switch (call.path) {
      case '/auth/sign-in/': {
        const user = this.users.find((candidate) => candidate.username === body.username);
        if (user && user.password === body.password && this.totpOn.has(user.username))
          return this.secondStep(user.username);
        return super.handle(call);
      }
      case '/auth/social-exchange/': {
        const response = super.handle(call);
        const username = this.users.at(-1)?.username;
        if (response.status === 200 && username && this.totpOn.has(username)) {
          this.cookie = null; // the second step sets no cookie
          return this.secondStep(username);
        }
        return response;
      }
      case '/auth/mfa/verify/': {
        const token =
          typeof body.mfa_token === 'string' ? this.mfaTokens.get(body.mfa_token) : null;
        if (!token || token.expired || token.failures >= 5)
          return problem(
            401,
            'token_not_valid',
            'This sign-in has expired or was already finished. Sign in again.',
          );
        const codes = this.recoveryCodes.get(token.username) ?? [];
        const recovery = typeof body.recovery_code === 'string' ? body.recovery_code : null;
        const ok =
          recovery !== null ? codes.includes(recovery.toLowerCase()) : this.useCode(body.code);
        if (!ok) {
          token.failures += 1;
          return problem(
            401,
            'authentication_failed',
            'That code is not correct, or it was used already.',
          );
        }
        if (recovery !== null)
          this.recoveryCodes.set(
            token.username,
            codes.filter((code) => code !== recovery.toLowerCase()),
          );
        this.mfaTokens.delete(body.mfa_token as string);
        return this.openSession(this.user(token.username));
      }
      case '/auth/reauthenticate/': {
        const issued = caller();
        if (!issued) return problem(401, 'token_not_valid', 'Token is invalid or expired.');
        const user = this.users.find((candidate) => candidate.id === issued.userId)!;
        if (body.password !== undefined && body.password !== user.password)
          return json(400, {
            detail: 'The password is not correct.',
            code: 'invalid_request',
            errors: { password: ['The password is not correct.'] },
          });
        if (body.code !== undefined && !this.useCode(body.code)) return wrongCode();
        this.reauthenticated.push(issued.sid);
        return this.issue(user, this.sessions.get(issued.sid)!);
      }
      case '/auth/mfa/totp/setup/': {
        const username = callerName();
        if (!username) return problem(401, 'token_not_valid', 'Token is invalid or expired.');
        const user = this.user(username);
        if (body.password !== user.password)
          return json(400, {
            detail: 'Confirm it is you.',
            code: 'invalid_request',
            errors: { password: ['Enter your password to confirm.'] },
          });
        const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
        this.pendingSecret.set(username, secret);
        return json(200, {
          secret,
          otpauth_uri: `otpauth://totp/localhost:${username}?secret=${secret}&issuer=localhost`,
          qr_svg:
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>',
        });
      }
      case '/auth/mfa/totp/confirm/': {
        const username = callerName();
        if (!username) return problem(401, 'token_not_valid', 'Token is invalid or expired.');
        if (!this.pendingSecret.has(username) || !this.useCode(body.code)) return wrongCode();
        this.totpOn.add(username);
        const codes = Array.from({ length: 10 }, (_, i) => `code-${i}-${username}`);
        this.recoveryCodes.set(username, codes);
        return json(200, { recovery_codes: codes });
      }
      case '/auth/mfa/totp/disable/':
      case '/auth/mfa/recovery-codes/regenerate/': {
        const username = callerName();
        if (!username) return problem(401, 'token_not_valid', 'Token is invalid or expired.');
        if (!confirmOk(username)) return wrongCode();
        if (call.path === '/auth/mfa/totp/disable/') {
          this.totpOn.delete(username);
          this.recoveryCodes.delete(username);
          return json(200, { detail: 'Two-factor authentication is off.' });
        }
        const codes = Array.from({ length: 10 }, (_, i) => `new-${i}-${username}`);
        this.recoveryCodes.set(username, codes);
        return json(200, { recovery_codes: codes });
      }
      default:
        return super.handle(call);
    }
  }
}
