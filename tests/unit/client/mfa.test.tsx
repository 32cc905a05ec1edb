// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi, type Mock } from 'vitest';
import { describeSecondFactorError, type ClientIdpSettings } from '@/client';
import { FakeMfaServer } from './fake-mfa';
import { makeJwt } from './fake-server';
import { ALICE, CSRF_KEY, installFakeBackend, renderAuth } from './harness';

const oidc = vi.hoisted(() => ({
  signinCallback: null as unknown as Mock,
  removeUser: null as unknown as Mock,
}));

vi.mock('oidc-client-ts', () => {
  class UserManager {
    signinCallback(...args: unknown[]) {
      return oidc.signinCallback(...args);
    }
    removeUser(...args: unknown[]) {
      return oidc.removeUser(...args);
    }
  }
  class WebStorageStateStore {
    constructor(readonly options: unknown) {}
  }
  class InMemoryWebStorage {}
  return { UserManager, WebStorageStateStore, InMemoryWebStorage };
});

installFakeBackend();
let server: FakeMfaServer;
beforeEach(() => {
  // The harness installed a plain fake; this suite's server knows the second factors.
  server = new FakeMfaServer();
  vi.stubGlobal('fetch', server.fetch);
});

const others: BroadcastChannel[] = [];
/** Another "tab" on the kit's channel, recording what this tab tells it. */
function otherTab(): unknown[] {
  const channel = new BroadcastChannel('auth-kit');
  others.push(channel);
  const received: unknown[] = [];
  channel.onmessage = (event: MessageEvent) => received.push(event.data);
  return received;
}
afterEach(() => {
  for (const channel of others.splice(0)) channel.close();
});

function everythingStored(): string {
  return JSON.stringify({ ...localStorage, ...sessionStorage, cookie: document.cookie });
}

/** Renders the provider and gives ALICE's password: the second step is waiting. */
async function passwordGiven() {
  const view = renderAuth();
  let result: Awaited<ReturnType<typeof view.auth.signIn>> | undefined;
  await act(async () => {
    result = await view.auth.signIn(ALICE.username, ALICE.password);
  });
  return { view, result: result! };
}

async function verify(
  view: Awaited<ReturnType<typeof passwordGiven>>['view'],
  input: Parameters<(typeof view)['auth']['verifySecondFactor']>[0],
) {
  let result: Awaited<ReturnType<typeof view.auth.verifySecondFactor>> | undefined;
  await act(async () => {
    result = await view.auth.verifySecondFactor(input);
  });
  return result!;
}

/** The mfa_token the server handed out last. */
const lastMfaToken = () => [...server.mfaTokens.keys()].at(-1)!;

describe('signIn() for a user with TOTP on', () => {
  test('says a second step is needed, signs nobody in and keeps the mfa_token out of storage', async () => {
    const { view, result } = await passwordGiven();

    expect(result).toMatchObject({
      ok: false,
      mfaRequired: true,
      methods: ['totp', 'recovery_code'],
      error: { code: 'mfa_required', source: 'sign-in' },
    });
    expect(view.auth.status).toBe('unauthenticated');
    // Not an error of the auth state: the password was right.
    expect(view.auth.error).toBeNull();
    expect(view.auth.secondFactor).toMatchObject({
      methods: ['totp', 'recovery_code'],
      source: 'password',
    });
    expect(view.auth.secondFactor!.expiresAt).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect(JSON.stringify(view.auth.secondFactor)).not.toContain(lastMfaToken());
    expect(everythingStored()).not.toContain(lastMfaToken());
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
    expect(view.auth.getAccessToken()).toBeNull();
  });

  test('methods without recovery codes left offer the app only', async () => {
    server.recoveryCodes.set('alice', []);
    const { view, result } = await passwordGiven();
    expect(result).toMatchObject({ mfaRequired: true, methods: ['totp'] });
    expect(view.auth.secondFactor?.methods).toEqual(['totp']);
  });

  test('a user without TOTP signs in at once, as before', async () => {
    server.totpOn.clear();
    const { view, result } = await passwordGiven();
    expect(result).toEqual({ ok: true });
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.secondFactor).toBeNull();
  });
});

describe('verifySecondFactor()', () => {
  test('the right code finishes the sign-in like a password sign-in: state, CSRF token, other tabs', async () => {
    const tab = otherTab();
    const { view } = await passwordGiven();
    const token = lastMfaToken();

    expect(await verify(view, { code: '246 810' })).toEqual({ ok: true });

    expect(server.callsTo('/auth/mfa/verify/')).toMatchObject([
      { method: 'POST', body: { mfa_token: token, code: '246 810' } },
    ]);
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ id: 7, username: 'alice' });
    expect(view.auth.getAccessToken()).toBe(server.lastAnswer!.access_token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(server.lastAnswer!.CSRF_token);
    expect(view.auth.secondFactor).toBeNull();
    await vi.waitFor(() => expect(tab).toEqual([{ type: 'signed-in' }]));
  });

  test('a recovery code is sent as recovery_code', async () => {
    const { view } = await passwordGiven();
    expect(await verify(view, { recoveryCode: 'AAAA-BBBB-CCCC' })).toEqual({ ok: true });
    expect(server.callsTo('/auth/mfa/verify/')[0]!.body).toEqual({
      mfa_token: expect.any(String),
      recovery_code: 'AAAA-BBBB-CCCC',
    });
    expect(server.recoveryCodes.get('alice')).toEqual(['dddd-eeee-ffff']);
    expect(view.auth.status).toBe('authenticated');
  });

  test('a wrong code is refused and the step stays open for the next try', async () => {
    const { view } = await passwordGiven();

    const wrong = await verify(view, { code: '000000' });
    expect(wrong).toMatchObject({
      ok: false,
      restart: false,
      error: { code: 'authentication_failed', status: 401, source: 'sign-in' },
    });
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.secondFactor).not.toBeNull();
    expect(describeSecondFactorError(wrong.ok ? never() : wrong.error)).toBe(
      'That code didn’t work. Enter the current code from your authenticator app.',
    );

    expect(await verify(view, { code: '246810' })).toEqual({ ok: true });
    expect(view.auth.status).toBe('authenticated');
  });

  test('the fifth wrong code ends the step: "too many wrong codes", back to the password, nothing more is sent', async () => {
    const { view } = await passwordGiven();
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect(await verify(view, { code: '000000' })).toMatchObject({ ok: false, restart: false });

    const fifth = await verify(view, { code: '000000' });
    expect(fifth).toMatchObject({
      ok: false,
      restart: true,
      error: { code: 'second_factor_exhausted' },
    });
    expect(describeSecondFactorError(fifth.ok ? never() : fifth.error)).toBe(
      'Too many wrong codes: sign in again.',
    );
    expect(view.auth.secondFactor).toBeNull();

    // The right code now is no use: the client knows the step is over and asks nothing.
    const after = await verify(view, { code: '246810' });
    expect(after).toMatchObject({
      ok: false,
      restart: true,
      error: { code: 'second_factor_expired' },
    });
    expect(server.callsTo('/auth/mfa/verify/')).toHaveLength(5);
    expect(view.auth.status).toBe('unauthenticated');
  });

  test('a step the server no longer knows (expired, used) sends the user back to the password', async () => {
    const { view } = await passwordGiven();
    server.expireMfaTokens();

    const result = await verify(view, { code: '246810' });
    expect(result).toMatchObject({
      ok: false,
      restart: true,
      error: { code: 'second_factor_expired' },
    });
    expect(describeSecondFactorError(result.ok ? never() : result.error)).toBe(
      'This sign-in step has expired. Enter your password again.',
    );
    expect(view.auth.secondFactor).toBeNull();
    expect(view.auth.status).toBe('unauthenticated');
  });

  test('after five minutes the client gives up without asking the server', async () => {
    const { view } = await passwordGiven();
    const later = Date.now() + 5 * 60_000 + 1;
    vi.spyOn(Date, 'now').mockReturnValue(later);

    expect(await verify(view, { code: '246810' })).toMatchObject({
      ok: false,
      restart: true,
      error: { code: 'second_factor_expired' },
    });
    expect(server.callsTo('/auth/mfa/verify/')).toHaveLength(0);
  });

  test('without a waiting sign-in it answers "expired" and sends nothing', async () => {
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.verifySecondFactor>> | undefined;
    await act(async () => {
      result = await view.auth.verifySecondFactor({ code: '246810' });
    });
    expect(result).toMatchObject({ ok: false, restart: true });
    expect(server.callsTo('/auth/mfa/verify/')).toHaveLength(0);
  });

  test('cancelSecondFactor() forgets the waiting sign-in', async () => {
    const { view } = await passwordGiven();
    act(() => view.auth.cancelSecondFactor());
    expect(view.auth.secondFactor).toBeNull();
    expect(await verify(view, { code: '246810' })).toMatchObject({ ok: false, restart: true });
    expect(server.callsTo('/auth/mfa/verify/')).toHaveLength(0);
  });

  test('"back" while the code check is still loading: the token is not sent, and a new step is kept', async () => {
    const { view } = await passwordGiven();
    let result: Awaited<ReturnType<typeof view.auth.verifySecondFactor>> | undefined;
    await act(async () => {
      // The check (src/client/mfa.ts) loads with the first code: the user goes back meanwhile
      // and starts over with the password, which opens a new step.
      const pending = view.auth.verifySecondFactor({ code: '246810' });
      view.auth.cancelSecondFactor();
      await view.auth.signIn(ALICE.username, ALICE.password);
      result = await pending;
    });
    expect(result).toMatchObject({
      ok: false,
      restart: true,
      error: { code: 'second_factor_expired' },
    });
    expect(server.callsTo('/auth/mfa/verify/')).toHaveLength(0);
    // The new step is the one waiting, and its code signs in.
    expect(view.auth.secondFactor).not.toBeNull();
    const second = lastMfaToken();
    expect(await verify(view, { code: '246810' })).toEqual({ ok: true });
    expect(server.callsTo('/auth/mfa/verify/')).toMatchObject([{ body: { mfa_token: second } }]);
  });

  test('a throttled answer keeps the step and says when to try again', async () => {
    const { view } = await passwordGiven();
    server.next(
      '/auth/mfa/verify/',
      new Response(JSON.stringify({ detail: 'Too many attempts.', code: 'throttled' }), {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '120' },
      }),
    );
    const result = await verify(view, { code: '246810' });
    expect(result).toMatchObject({
      ok: false,
      restart: false,
      error: { code: 'throttled', retryAfter: 120 },
    });
    expect(describeSecondFactorError(result.ok ? never() : result.error)).toBe(
      'Too many attempts. Try again in 2 minutes.',
    );
    expect(view.auth.secondFactor).not.toBeNull();
  });
});

describe('the identity provider callback for a user with TOTP on', () => {
  const idp: ClientIdpSettings = {
    provider: 'aws',
    authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
    clientId: 'client-123',
    domain: 'auth.example.com',
  };

  test('completeCognitoSignIn asks for the code (with returnTo), drops the IdP tokens, and the code signs in', async () => {
    server.totpOn.add('carol');
    const now = Math.floor(Date.now() / 1000);
    const common = { sub: 'carol-sub', iss: idp.authority, iat: now, exp: now + 3600 };
    oidc.signinCallback = vi.fn(async () => ({
      id_token: makeJwt({
        ...common,
        aud: idp.clientId,
        token_use: 'id',
        email: 'carol@example.com',
        'cognito:username': 'carol',
      }),
      access_token: makeJwt({ ...common, client_id: idp.clientId, token_use: 'access' }),
      state: { returnTo: '/account' },
    }));
    oidc.removeUser = vi.fn(async () => {});
    const view = renderAuth({ idp });
    let result: Awaited<ReturnType<typeof view.auth.completeCognitoSignIn>> | undefined;
    await act(async () => {
      result = await view.auth.completeCognitoSignIn();
    });

    expect(result).toMatchObject({
      ok: false,
      mfaRequired: true,
      returnTo: '/account',
      error: { code: 'mfa_required', source: 'cognito' },
    });
    expect(oidc.removeUser).toHaveBeenCalledTimes(1);
    expect(view.auth.secondFactor).toMatchObject({ source: 'cognito' });
    expect(view.auth.status).toBe('unauthenticated');

    expect(await verify(view, { code: '246810' })).toEqual({ ok: true });
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user?.username).toBe('carol');
  });
});

/** Signs ALICE in through both steps. */
async function signedInWithCode() {
  const { view } = await passwordGiven();
  expect(await verify(view, { code: '246810' })).toEqual({ ok: true });
  server.usedCodes.clear(); // the next 30-second step: the app shows the same code again here
  return view;
}

describe('reauthenticate()', () => {
  test('with the password: new tokens for the same session, and the other tabs are told', async () => {
    const view = await signedInWithCode();
    const before = view.auth.getAccessToken();
    const tab = otherTab();
    let result: Awaited<ReturnType<typeof view.auth.reauthenticate>> | undefined;
    await act(async () => {
      result = await view.auth.reauthenticate({ password: ALICE.password });
    });

    expect(result).toEqual({ ok: true });
    const [call] = server.callsTo('/auth/reauthenticate/');
    expect(call!.body).toEqual({ password: ALICE.password });
    expect(call!.headers.get('authorization')).toBe(`Bearer ${before}`);
    expect(server.reauthenticated).toEqual([view.auth.user!.claims.sid]);
    expect(view.auth.getAccessToken()).toBe(server.lastAnswer!.access_token);
    expect(view.auth.getAccessToken()).not.toBe(before);
    await vi.waitFor(() => expect(tab).toEqual([{ type: 'signed-in' }]));
  });

  test('with a code; a wrong one is a field error of source mfa and keeps the user signed in', async () => {
    const view = await signedInWithCode();
    let result: Awaited<ReturnType<typeof view.auth.reauthenticate>> | undefined;
    await act(async () => {
      result = await view.auth.reauthenticate({ code: '111111' });
    });
    expect(result).toMatchObject({
      ok: false,
      error: { source: 'mfa', code: 'invalid_request', errors: { code: [expect.any(String)] } },
    });
    expect(view.auth.status).toBe('authenticated');

    await act(async () => {
      result = await view.auth.reauthenticate({ code: '246810' });
    });
    expect(result).toEqual({ ok: true });
    expect(server.callsTo('/auth/reauthenticate/').at(-1)!.body).toEqual({ code: '246810' });
  });

  test('signed out, it says so without calling the server', async () => {
    server.totpOn.clear();
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.reauthenticate>> | undefined;
    await act(async () => {
      result = await view.auth.reauthenticate({ password: ALICE.password });
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'token_not_valid', source: 'mfa' } });
    expect(server.callsTo('/auth/reauthenticate/')).toHaveLength(0);
  });
});

describe('the TOTP factor of the signed-in user', () => {
  test('setup with the password, confirm with a code: the secret, the QR code and ten recovery codes', async () => {
    server.totpOn.clear();
    const view = renderAuth();
    await act(async () => {
      await view.auth.signIn(ALICE.username, ALICE.password);
    });
    expect(view.auth.status).toBe('authenticated');

    let setup: Awaited<ReturnType<typeof view.auth.setupTotp>> | undefined;
    await act(async () => {
      setup = await view.auth.setupTotp('wrong password');
    });
    expect(setup).toMatchObject({
      ok: false,
      error: { source: 'mfa', code: 'invalid_request', errors: { password: [expect.any(String)] } },
    });

    await act(async () => {
      setup = await view.auth.setupTotp(ALICE.password);
    });
    expect(setup).toEqual({
      ok: true,
      value: {
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\//),
        qrSvg: expect.stringMatching(/^<svg /),
      },
    });
    expect(server.callsTo('/auth/mfa/totp/setup/').at(-1)!.body).toEqual({
      password: ALICE.password,
    });

    let confirmed: Awaited<ReturnType<typeof view.auth.confirmTotp>> | undefined;
    await act(async () => {
      confirmed = await view.auth.confirmTotp('246810');
    });
    expect(confirmed).toMatchObject({ ok: true, value: { recoveryCodes: expect.any(Array) } });
    expect(confirmed!.ok && confirmed!.value.recoveryCodes).toHaveLength(10);
    expect(server.totpOn.has('alice')).toBe(true);
  });

  test('setup without a password sends an empty body (a recent sign-in counts on the server)', async () => {
    const view = await signedInWithCode();
    await act(async () => {
      await view.auth.setupTotp();
    });
    expect(server.callsTo('/auth/mfa/totp/setup/')[0]!.body).toEqual({});
  });

  test('new recovery codes and turning off, confirmed with a code or the password', async () => {
    const view = await signedInWithCode();
    let codes: Awaited<ReturnType<typeof view.auth.regenerateRecoveryCodes>> | undefined;
    await act(async () => {
      codes = await view.auth.regenerateRecoveryCodes({ code: '246810' });
    });
    expect(codes).toMatchObject({ ok: true, value: { recoveryCodes: expect.any(Array) } });
    expect(server.callsTo('/auth/mfa/recovery-codes/regenerate/')[0]!.body).toEqual({
      code: '246810',
    });

    let off: Awaited<ReturnType<typeof view.auth.disableTotp>> | undefined;
    await act(async () => {
      off = await view.auth.disableTotp({ password: 'not it' });
    });
    expect(off).toMatchObject({ ok: false, error: { source: 'mfa', code: 'invalid_request' } });
    expect(server.totpOn.has('alice')).toBe(true);

    await act(async () => {
      off = await view.auth.disableTotp({ password: ALICE.password });
    });
    expect(off).toEqual({ ok: true, value: { detail: 'Two-factor authentication is off.' } });
    expect(server.totpOn.has('alice')).toBe(false);
    expect(view.auth.status).toBe('authenticated');
  });

  test('an answer without the members it needs is an error, not a half-filled result', async () => {
    const view = await signedInWithCode();
    server.next(
      '/auth/mfa/totp/setup/',
      new Response(JSON.stringify({ secret: 'X' }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    let setup: Awaited<ReturnType<typeof view.auth.setupTotp>> | undefined;
    await act(async () => {
      setup = await view.auth.setupTotp(ALICE.password);
    });
    expect(setup).toMatchObject({ ok: false, error: { code: 'network_error', source: 'mfa' } });
  });
});

describe('describeSecondFactorError()', () => {
  test.each([
    [{ code: 'authentication_failed' }, {}, 'That code didn’t work.'],
    [{ code: 'authentication_failed' }, { recoveryCode: true }, 'That recovery code didn’t work.'],
    [{ code: 'second_factor_exhausted' }, {}, 'Too many wrong codes: sign in again.'],
    [{ code: 'second_factor_expired' }, {}, 'Enter your password again.'],
    [
      { code: 'second_factor_expired' },
      { firstStep: 'cognito' as const },
      'expired. Sign in again.',
    ],
    [{ code: 'network_error' }, {}, 'could not reach the server'],
  ])('%o %o reads "%s"', (error, options, words) => {
    expect(describeSecondFactorError({ detail: 'd', ...error }, options)).toContain(words);
  });
});

function never(): never {
  throw new Error('unexpected success');
}
