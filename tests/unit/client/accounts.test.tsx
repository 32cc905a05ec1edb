// @vitest-environment happy-dom
import { act, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { getAccessToken } from '@/client';
import { jwtPayload, problem } from './fake-server';
import { ALICE, CSRF_KEY, installFakeBackend, renderAuth, renderSignedIn } from './harness';

const server = installFakeBackend();

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

const NEWBIE = {
  username: 'newbie',
  email: 'newbie@example.com',
  password: 'a-long-password-9',
  first_name: 'New',
  last_name: 'Bie',
};

describe('signUp()', () => {
  test('with verification on (202) it says "check your inbox" and signs nobody in', async () => {
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signUp>> | undefined;
    await act(async () => {
      result = await view.auth.signUp(NEWBIE);
    });

    expect(result).toEqual({ ok: true, signedIn: false, detail: 'Check your inbox.' });
    expect(server().callsTo('/auth/sign-up/')[0]).toMatchObject({ method: 'POST', body: NEWBIE });
    expect(server().mails).toEqual([{ to: NEWBIE.email, kind: 'verify' }]);
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.getAccessToken()).toBeNull();
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
  });

  test('with verification off (201) it signs in with the answer and tells the other tabs', async () => {
    server().requireEmailVerification = false;
    const tab = otherTab();
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signUp>> | undefined;
    await act(async () => {
      result = await view.auth.signUp(NEWBIE);
    });

    expect(result).toEqual({ ok: true, signedIn: true });
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ username: 'newbie', email: NEWBIE.email });
    expect(view.auth.getAccessToken()).toBe(server().lastAnswer!.access_token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(server().lastAnswer!.CSRF_token);
    await waitFor(() => expect(tab).toEqual([{ type: 'signed-in' }]));
  });

  test('a refused sign-up returns the field errors of the answer, and nothing is signed in', async () => {
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signUp>> | undefined;
    await act(async () => {
      result = await view.auth.signUp({ ...NEWBIE, username: 'alice', password: '12345678' });
    });

    expect(result).toEqual({
      ok: false,
      error: {
        source: 'sign-up',
        code: 'invalid_request',
        status: 400,
        detail: 'The request is not valid.',
        errors: {
          username: ['A user with that username already exists.'],
          password: ['This password is entirely numeric.'],
        },
      },
    });
    expect(view.auth.status).toBe('unauthenticated');
  });
});

describe('verifyEmail() and adopt()', () => {
  test('a link opened in a signed-in tab waits for the refresh in flight, whose refusal then cannot sign out the new session', async () => {
    const view = await renderSignedIn();
    const token = server().mailToken('bob');
    let release: () => void = () => undefined;
    // The page's first refresh is still out when the verify-email page posts the token; the
    // server refuses it (had it been sent with the new cookie, a CSRF mismatch).
    server().next(
      '/auth/refresh/',
      () =>
        new Promise<Response>((resolve) => {
          release = () => resolve(problem(403, 'csrf_failed', 'CSRF token mismatch.'));
        }),
    );
    let refreshed: Promise<unknown> = Promise.resolve();
    let verified: Promise<unknown> = Promise.resolve();
    await act(async () => {
      refreshed = view.auth.refresh();
      await waitFor(() => expect(server().callsTo('/auth/refresh/')).toHaveLength(1));
      verified = view.auth.verifyEmail(token);
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    expect(server().callsTo('/auth/email/verify/')).toHaveLength(0);

    await act(async () => {
      release();
      await refreshed;
      await verified;
    });
    expect(server().callsTo('/auth/email/verify/')).toHaveLength(1);
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ username: 'bob' });
    expect(localStorage.getItem(CSRF_KEY)).toBe(server().lastAnswer!.CSRF_token);
  });

  test('a mailed token signs the browser in as its user', async () => {
    const token = server().mailToken('bob');
    const tab = otherTab();
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.verifyEmail>> | undefined;
    await act(async () => {
      result = await view.auth.verifyEmail(token);
    });

    expect(result).toEqual({ ok: true });
    expect(server().callsTo('/auth/email/verify/')[0]!.body).toEqual({ token });
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ id: 8, username: 'bob' });
    await waitFor(() => expect(tab).toEqual([{ type: 'signed-in' }]));
  });

  test('a used token is invalid_token and leaves the state signed out', async () => {
    const token = server().mailToken('bob');
    const view = renderAuth();
    await act(async () => {
      await view.auth.verifyEmail(token);
      await view.auth.signOut();
    });
    let result: Awaited<ReturnType<typeof view.auth.verifyEmail>> | undefined;
    await act(async () => {
      result = await view.auth.verifyEmail(token);
    });

    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ source: 'email', code: 'invalid_token', status: 400 }),
    });
    expect(view.auth.status).toBe('unauthenticated');
    expect(getAccessToken()).toBeNull();
  });

  test('adopt() takes a sign-in body another call received, and refuses anything else', async () => {
    const view = renderAuth();
    let refused: ReturnType<typeof view.auth.adopt> | undefined;
    act(() => {
      refused = view.auth.adopt({ access_token: 'x', detail: 'not tokens' });
    });
    expect(refused).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'network_error' }),
    });
    expect(view.auth.status).toBe('unauthenticated');
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();

    // A body as a custom endpoint would pass it on: the fake server's sign-in answer.
    const response = await server().fetch('/auth/sign-in/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'hunter22hunter22' }),
    });
    const body = (await response.json()) as { access_token: string; CSRF_token: string };
    let adopted: ReturnType<typeof view.auth.adopt> | undefined;
    act(() => {
      adopted = view.auth.adopt(body);
    });
    expect(adopted).toEqual({ ok: true });
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ username: 'bob' });
    expect(getAccessToken()).toBe(body.access_token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(body.CSRF_token);
  });
});

describe('the Bearer calls', () => {
  test('changePassword() sends the Bearer token, takes the new tokens and ends the other sessions', async () => {
    const view = await renderSignedIn();
    const other = server().seedOtherSession('alice');
    const before = view.auth.getAccessToken()!;
    let result: Awaited<ReturnType<typeof view.auth.changePassword>> | undefined;
    await act(async () => {
      result = await view.auth.changePassword(ALICE.password, 'a-brand-new-password');
    });

    expect(result).toEqual({ ok: true });
    const [call] = server().callsTo('/auth/password/');
    expect(call!.headers.get('authorization')).toBe(`Bearer ${before}`);
    expect(call!.body).toEqual({
      current_password: ALICE.password,
      new_password: 'a-brand-new-password',
    });
    expect(view.auth.getAccessToken()).toBe(server().lastAnswer!.access_token);
    expect(view.auth.getAccessToken()).not.toBe(before);
    expect(view.auth.status).toBe('authenticated');
    expect(server().liveSessions('alice')).not.toContain(other);
    expect(server().liveSessions('alice')).toContain(jwtPayload(before).sid);
  });

  test('a wrong current password is a field error and changes nothing', async () => {
    const view = await renderSignedIn();
    const before = view.auth.getAccessToken();
    let result: Awaited<ReturnType<typeof view.auth.changePassword>> | undefined;
    await act(async () => {
      result = await view.auth.changePassword('not it', 'a-brand-new-password');
    });

    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({
        source: 'password',
        code: 'invalid_request',
        errors: { current_password: ['Your current password is not correct.'] },
      }),
    });
    expect(view.auth.getAccessToken()).toBe(before);
    expect(view.auth.status).toBe('authenticated');
  });

  test('a rejected access token is refreshed once and the call sent again', async () => {
    const view = await renderSignedIn();
    server().rejectIssuedAccessTokens();
    let result: Awaited<ReturnType<typeof view.auth.changeEmail>> | undefined;
    await act(async () => {
      result = await view.auth.changeEmail('alice@new.example', ALICE.password);
    });

    expect(result).toEqual({ ok: true, value: { detail: 'Check your new inbox.' } });
    const calls = server().callsTo('/auth/email/change/');
    expect(calls).toHaveLength(2);
    expect(server().callsTo('/auth/refresh/')).toHaveLength(1);
    expect(calls[1]!.headers.get('authorization')).toBe(
      `Bearer ${server().lastAnswer!.access_token}`,
    );
    expect(calls[1]!.body).toEqual({ new_email: 'alice@new.example', password: ALICE.password });
    expect(server().mails).toEqual([{ to: 'alice@new.example', kind: 'change' }]);
  });

  test('signed out, a Bearer call answers token_not_valid without calling the endpoint', async () => {
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.getAccount>> | undefined;
    await act(async () => {
      result = await view.auth.getAccount();
    });

    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ source: 'account', code: 'token_not_valid', status: 401 }),
    });
    expect(server().callsTo('/auth/account/')).toHaveLength(0);
  });

  test('a session the server ended signs the browser out when a Bearer call finds out', async () => {
    const view = await renderSignedIn();
    // Revoked elsewhere, and the access token no longer accepted: the retry's refresh is refused.
    server().cookie = server().seedOtherSession('bob');
    server().rejectIssuedAccessTokens();
    let result: Awaited<ReturnType<typeof view.auth.listSessions>> | undefined;
    await act(async () => {
      server().next('/auth/refresh/', problem(401, 'token_not_valid', 'Token is blacklisted.'));
      result = await view.auth.listSessions();
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'token_not_valid' } });
    expect(view.auth.status).toBe('unauthenticated');
  });

  test('getAccount() answers the account', async () => {
    const view = await renderSignedIn();
    let result: Awaited<ReturnType<typeof view.auth.getAccount>> | undefined;
    await act(async () => {
      result = await view.auth.getAccount();
    });
    expect(result).toMatchObject({ ok: true, value: { email_verified: true, has_password: true } });
    expect(server().callsTo('/auth/account/')[0]!.method).toBe('GET');
  });

  test('deleteAccount() with the password signs out this tab and the others', async () => {
    const view = await renderSignedIn();
    const tab = otherTab();
    let result: Awaited<ReturnType<typeof view.auth.deleteAccount>> | undefined;
    await act(async () => {
      result = await view.auth.deleteAccount(ALICE.password);
    });

    expect(result).toEqual({ ok: true, value: { detail: 'Your account is deleted.' } });
    expect(server().callsTo('/auth/account/delete/')[0]!.body).toEqual({
      password: ALICE.password,
    });
    expect(server().users.map((user) => user.username)).not.toContain('alice');
    expect(view.auth.status).toBe('unauthenticated');
    expect(getAccessToken()).toBeNull();
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
    await waitFor(() => expect(tab).toEqual([{ type: 'signed-out' }]));
  });

  test('deleteAccount() with a wrong password keeps the account and the session', async () => {
    const view = await renderSignedIn();
    let result: Awaited<ReturnType<typeof view.auth.deleteAccount>> | undefined;
    await act(async () => {
      result = await view.auth.deleteAccount('wrong');
    });
    expect(result).toMatchObject({
      ok: false,
      error: { errors: { password: ['Your password is not correct.'] } },
    });
    expect(view.auth.status).toBe('authenticated');
    expect(server().users.map((user) => user.username)).toContain('alice');
  });
});

describe('sessions', () => {
  test('revokeOtherSessions() ends every session but this one', async () => {
    const view = await renderSignedIn();
    const mine = jwtPayload(view.auth.getAccessToken()!).sid as string;
    server().seedOtherSession('alice');
    server().seedOtherSession('alice');
    let listed: Awaited<ReturnType<typeof view.auth.listSessions>> | undefined;
    await act(async () => {
      listed = await view.auth.listSessions();
    });
    expect(listed).toMatchObject({ ok: true });
    expect(listed!.ok && listed!.value.map((session) => session.current).sort()).toEqual([
      false,
      false,
      true,
    ]);

    let result: Awaited<ReturnType<typeof view.auth.revokeOtherSessions>> | undefined;
    await act(async () => {
      result = await view.auth.revokeOtherSessions();
    });
    expect(result).toEqual({ ok: true, value: { revoked: 2 } });
    expect(server().liveSessions('alice')).toEqual([mine]);
    expect(
      server()
        .callsTo('/auth/sessions/revoke/')
        .map((call) => (call.body as { sid: string }).sid),
    ).not.toContain(mine);
    expect(view.auth.status).toBe('authenticated');
  });

  test('revokeSession() of this browser’s own session signs it out', async () => {
    const view = await renderSignedIn();
    const mine = jwtPayload(view.auth.getAccessToken()!).sid as string;
    await act(async () => {
      await view.auth.revokeSession(mine);
    });
    expect(server().liveSessions('alice')).toEqual([]);
    expect(view.auth.status).toBe('unauthenticated');
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
  });

  test('revokeSession() of another user’s session is not_found and signs nobody out', async () => {
    const view = await renderSignedIn();
    const bobs = server().seedOtherSession('bob');
    let result: Awaited<ReturnType<typeof view.auth.revokeSession>> | undefined;
    await act(async () => {
      result = await view.auth.revokeSession(bobs);
    });
    expect(result).toMatchObject({ ok: false, error: { source: 'sessions', code: 'not_found' } });
    expect(server().liveSessions('bob')).toEqual([bobs]);
    expect(view.auth.status).toBe('authenticated');
  });
});

describe('the anonymous mail calls', () => {
  test('requestPasswordReset() and resendVerification() answer the same detail for any address', async () => {
    const view = renderAuth();
    const answers: unknown[] = [];
    await act(async () => {
      answers.push(await view.auth.requestPasswordReset('alice@example.com'));
      answers.push(await view.auth.requestPasswordReset('nobody@example.com'));
      answers.push(await view.auth.resendVerification('nobody@example.com'));
    });
    const same = {
      ok: true,
      value: { detail: 'If an account has that address, a link is on its way.' },
    };
    expect(answers).toEqual([same, same, same]);
    expect(server().mails).toEqual([{ to: 'alice@example.com', kind: 'reset' }]);
    expect(server().callsTo('/auth/email/resend/')[0]!.body).toEqual({
      email: 'nobody@example.com',
    });
  });

  test('a throttled request keeps its Retry-After seconds for the page to put in words', async () => {
    const view = renderAuth();
    server().next(
      '/auth/password-reset/',
      problem(429, 'throttled', 'Too many requests.', { 'Retry-After': '899' }),
    );
    let result: Awaited<ReturnType<typeof view.auth.requestPasswordReset>> | undefined;
    await act(async () => {
      result = await view.auth.requestPasswordReset('alice@example.com');
    });
    expect(result).toEqual({
      ok: false,
      error: {
        source: 'password',
        code: 'throttled',
        status: 429,
        detail: 'Too many requests.',
        retryAfter: 899,
      },
    });
  });

  test('resetPassword() sets the password; signed in as that user, this browser finds out it is signed out', async () => {
    const view = await renderSignedIn();
    const token = server().mailToken('alice');
    let result: Awaited<ReturnType<typeof view.auth.resetPassword>> | undefined;
    await act(async () => {
      result = await view.auth.resetPassword(token, 'a-brand-new-password');
    });
    expect(result).toEqual({ ok: true, value: { detail: 'Your password is set.' } });
    expect(server().callsTo('/auth/password-reset/confirm/')[0]!.body).toEqual({
      token,
      password: 'a-brand-new-password',
    });
    expect(view.auth.status).toBe('unauthenticated');
  });

  test('a weak new password is a field error and the token stays usable', async () => {
    const view = renderAuth();
    const token = server().mailToken('alice');
    let weak: Awaited<ReturnType<typeof view.auth.resetPassword>> | undefined;
    let strong: Awaited<ReturnType<typeof view.auth.resetPassword>> | undefined;
    await act(async () => {
      weak = await view.auth.resetPassword(token, '1234');
      strong = await view.auth.resetPassword(token, 'a-brand-new-password');
    });
    expect(weak).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        errors: {
          password: ['This password is too short. It must contain at least 8 characters.'],
        },
      },
    });
    expect(strong).toMatchObject({ ok: true });
  });
});

describe('field errors from a proxy or an odd answer', () => {
  test('only string messages are kept, and a non-object errors member is ignored', async () => {
    const view = renderAuth();
    server().next(
      '/auth/sign-up/',
      new Response(
        JSON.stringify({
          code: 'invalid_request',
          detail: 'Bad.',
          errors: { username: ['Taken.', 7, ''], email: 'Not an address.', other: [null] },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    server().next(
      '/auth/sign-up/',
      new Response(JSON.stringify({ code: 'invalid_request', detail: 'Bad.', errors: ['x'] }), {
        status: 400,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    const results: unknown[] = [];
    await act(async () => {
      results.push(await view.auth.signUp(NEWBIE));
      results.push(await view.auth.signUp(NEWBIE));
    });
    expect(results[0]).toMatchObject({
      ok: false,
      error: { errors: { username: ['Taken.'], email: ['Not an address.'] } },
    });
    expect((results[0] as { error: { errors: object } }).error.errors).not.toHaveProperty('other');
    expect((results[1] as { error: object }).error).not.toHaveProperty('errors');
  });
});
