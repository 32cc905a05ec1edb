import { FakeAuthServer, json, problem, type RecordedCall } from './fake-server';

/** A passkey as the fake server keeps it: the list's view and the user it belongs to. */
interface FakePasskey {
  id: string;
  userId: number;
  name: string;
  created: string;
  last_used: string | null;
}

let counter = 0;

/**
 * The FakeAuthServer with the passkey endpoints and re-authentication of docs/contract.md
 * section 9, answering as the real handlers do: options with a single-use challenge, a
 * registration that names the challenge it answers, a sign-in answered exactly as sign-in, and
 * `errors.password` for a sensitive action while the session's sign-in is not recent
 * (`recent = false`) until POST /auth/reauthenticate/ with the right password or a passkey.
 * A "response" here is what the mocked @simplewebauthn/browser returns: `{ id, challenge }`.
 */
export class FakePasskeyServer extends FakeAuthServer {
  passkeys: FakePasskey[] = [];
  /** Whether the session's sign-in counts as recent (the reauthMaxAge rule). */
  recent = true;
  /** Challenges issued and not yet used. */
  challenges = new Set<string>();

  /** A passkey of `username` registered earlier; returns its credential id. */
  seedPasskey(username = 'alice', name = 'Laptop'): string {
    const user = this.users.find((candidate) => candidate.username === username)!;
    const id = `cred-${++counter}`;
    this.passkeys.push({
      id,
      userId: user.id,
      name,
      created: new Date().toISOString(),
      last_used: null,
    });
    return id;
  }

  private challenge(): string {
    const challenge = `challenge-${++counter}`;
    this.challenges.add(challenge);
    return challenge;
  }

  /** Uses a challenge up: true when it was issued and unused. */
  private consume(response: unknown): response is { id: string; challenge: string } {
    const challenge = (response as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && this.challenges.delete(challenge);
  }

  private confirmOrAsk(body: Record<string, unknown>, password: string): Response | null {
    if (body.password !== undefined) {
      return body.password === password
        ? null
        : json(400, {
            detail: 'The password is not correct.',
            code: 'invalid_request',
            errors: { password: ['The password is not correct.'] },
          });
    }
    if (this.recent) return null;
    return json(400, {
      detail: 'Confirm it is you.',
      code: 'invalid_request',
      errors: { password: ['Enter your password to confirm.'] },
    });
  }

  protected override handle(call: RecordedCall): Response {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const caller = () => this.bearer(call);
    const userOf = (id: number) => this.users.find((user) => user.id === id)!;
    const unauthorized = () =>
      problem(401, 'token_not_valid', 'Token is invalid or expired.', {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    switch (call.path) {
      case '/auth/passkeys/': {
        const who = caller();
        if (!who) return unauthorized();
        return json(200, {
          passkeys: this.passkeys
            .filter((passkey) => passkey.userId === who.userId)
            .reverse()
            .map(({ id, name, created, last_used }) => ({ id, name, created, last_used })),
        });
      }
      case '/auth/passkeys/register/options/': {
        const who = caller();
        if (!who) return unauthorized();
        const refusal = this.confirmOrAsk(body, userOf(who.userId).password);
        if (refusal) return refusal;
        return json(200, {
          challenge: this.challenge(),
          rp: { id: 'localhost', name: 'localhost' },
          user: { id: String(who.userId), name: userOf(who.userId).username, displayName: '' },
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
          excludeCredentials: this.passkeys
            .filter((passkey) => passkey.userId === who.userId)
            .map((passkey) => ({ id: passkey.id, type: 'public-key' })),
          authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        });
      }
      case '/auth/passkeys/register/': {
        const who = caller();
        if (!who) return unauthorized();
        if (!this.consume(body.response))
          return json(400, {
            detail: 'The passkey could not be registered.',
            code: 'invalid_request',
            errors: {
              response: ['This registration has expired or was used already. Start again.'],
            },
          });
        const passkey: FakePasskey = {
          id: (body.response as { id: string }).id,
          userId: who.userId,
          name: typeof body.name === 'string' && body.name.trim() ? body.name.trim() : 'Passkey',
          created: new Date().toISOString(),
          last_used: null,
        };
        this.passkeys.push(passkey);
        const { id, name, created, last_used } = passkey;
        return json(201, { id, name, created, last_used });
      }
      case '/auth/passkeys/delete/': {
        const who = caller();
        if (!who) return unauthorized();
        const refusal = this.confirmOrAsk(body, userOf(who.userId).password);
        if (refusal) return refusal;
        const index = this.passkeys.findIndex(
          (passkey) => passkey.id === body.id && passkey.userId === who.userId,
        );
        if (index < 0) return problem(404, 'not_found', 'You have no passkey with this id.');
        this.passkeys.splice(index, 1);
        return json(200, { detail: 'The passkey is deleted.' });
      }
      case '/auth/passkeys/sign-in/options/':
        return json(200, {
          challenge: this.challenge(),
          rpId: 'localhost',
          allowCredentials: [],
          userVerification: 'required',
          timeout: 300_000,
        });
      case '/auth/passkeys/sign-in/': {
        const response = body.response;
        const passkey = this.consume(response)
          ? this.passkeys.find((candidate) => candidate.id === response.id)
          : undefined;
        if (!passkey)
          return problem(
            401,
            'authentication_failed',
            'The passkey could not be verified. Try again, or sign in another way.',
          );
        passkey.last_used = new Date().toISOString();
        return this.openSession(userOf(passkey.userId));
      }
      case '/auth/reauthenticate/': {
        const who = caller();
        if (!who) return unauthorized();
        const user = userOf(who.userId);
        if (body.response !== undefined) {
          const response = body.response;
          const own =
            this.consume(response) &&
            this.passkeys.some(
              (passkey) => passkey.id === response.id && passkey.userId === user.id,
            );
          if (!own)
            return json(400, {
              detail: 'The passkey could not be verified.',
              code: 'invalid_request',
              errors: { response: ['Use one of your own passkeys.'] },
            });
        } else if (body.password !== user.password)
          return json(400, {
            detail: 'The password is not correct.',
            code: 'invalid_request',
            errors: { password: ['The password is not correct.'] },
          });
        this.recent = true;
        return this.issue(user, this.sessions.get(who.sid)!);
      }
      default:
        return super.handle(call);
    }
  }
}
