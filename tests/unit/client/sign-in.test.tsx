// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { getAccessToken, type SignInResult } from '@/client';
import { jwtPayload } from './fake-server';
import { ALICE, CSRF_KEY, renderAuth, installFakeBackend } from './harness';

const server = installFakeBackend();

function storageValues(storage: Storage): string[] {
  return Array.from(
    { length: storage.length },
    (_, index) => `${storage.key(index)}=${storage.getItem(storage.key(index)!)}`,
  );
}

describe('signIn()', () => {
  test('a successful sign-in makes the state authenticated and stores only the CSRF token', async () => {
    const view = renderAuth();
    let result: SignInResult | undefined;
    await act(async () => {
      result = await view.auth.signIn(ALICE.username, ALICE.password);
    });

    expect(result).toEqual({ ok: true });
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ id: 7, username: 'alice', email: 'alice@example.com' });
    expect(view.auth.error).toBeNull();

    const [call] = server().callsTo('/auth/sign-in/');
    expect(call).toMatchObject({
      method: 'POST',
      body: { username: ALICE.username, password: ALICE.password },
    });

    const token = view.auth.getAccessToken();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*$/);
    expect(jwtPayload(token!)).toMatchObject({ user_id: 7, username: 'alice' });
    expect(getAccessToken()).toBe(token);

    expect(token).toBe(server().lastAnswer!.access_token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(server().lastAnswer!.CSRF_token);
    for (const entry of [
      ...storageValues(localStorage),
      ...storageValues(sessionStorage),
      document.cookie,
    ])
      expect(entry).not.toContain(token);
  });

  test('a 401 authentication_failed is returned and kept in error with source sign-in', async () => {
    const view = renderAuth();
    let result: SignInResult | undefined;
    await act(async () => {
      result = await view.auth.signIn(ALICE.username, 'wrong password');
    });

    const error = {
      source: 'sign-in',
      code: 'authentication_failed',
      status: 401,
      detail: 'No active account found with the given credentials.',
    };
    expect(result).toEqual({ ok: false, error: expect.objectContaining(error) });
    expect(view.auth.error).toEqual(expect.objectContaining(error));
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.getAccessToken()).toBeNull();
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
  });

  test('a 429 throttled answer is returned and kept in error with its Retry-After seconds', async () => {
    const view = renderAuth();
    for (let attempt = 0; attempt < server().throttleLimit; attempt += 1)
      await act(async () => {
        await view.auth.signIn(ALICE.username, `wrong ${attempt}`);
      });
    let result: SignInResult | undefined;
    await act(async () => {
      result = await view.auth.signIn(ALICE.username, ALICE.password);
    });

    expect(server().callsTo('/auth/sign-in/')).toHaveLength(server().throttleLimit + 1);
    const error = {
      source: 'sign-in',
      code: 'throttled',
      status: 429,
      retryAfter: 42,
      detail: 'Too many sign-in attempts. Try again in 42 seconds.',
    };
    expect(result).toEqual({ ok: false, error });
    expect(view.auth.error).toEqual(error);
    expect(view.auth.status).toBe('unauthenticated');
  });
});
