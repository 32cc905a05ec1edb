// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { json, jwtPayload } from './fake-server';
import { CSRF_KEY, stubWebLocks, installFakeBackend, renderSignedIn } from './harness';

const server = installFakeBackend();

describe('refreshing', () => {
  test('the timer sends a refresh 30 seconds before a 60-second access token expires and the state takes the new token', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
      now: new Date('2026-03-01T12:00:00.000Z'),
    });
    server().accessLifetime = 60;
    const view = await renderSignedIn();
    const first = view.auth.getAccessToken()!;
    const issuedAt = Date.now() / 1000;
    expect(view.auth.user!.claims.exp).toBe(issuedAt + 60);

    await act(() => vi.advanceTimersByTimeAsync(29_900));
    expect(server().callsTo('/auth/refresh/')).toHaveLength(0);

    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(server().callsTo('/auth/refresh/')).toHaveLength(1);
    expect(server().callsTo('/auth/refresh/')[0]!.body).toEqual({
      CSRF_token: localStorage.getItem(CSRF_KEY),
    });

    const second = view.auth.getAccessToken()!;
    expect(second).not.toBe(first);
    expect(second).toBe(server().lastAnswer!.access_token);
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user!.claims.exp).toBe(issuedAt + 30 + 60);
    expect(view.auth.user!.claims.jti).toBe(jwtPayload(second).jti);
  });

  test('three concurrent refresh() calls send one request and all resolve to the same new token', async () => {
    const view = await renderSignedIn();
    let tokens: Array<string | null> = [];
    await act(async () => {
      tokens = await Promise.all([view.auth.refresh(), view.auth.refresh(), view.auth.refresh()]);
    });

    expect(server().callsTo('/auth/refresh/')).toHaveLength(1);
    expect(tokens).toEqual(Array(3).fill(server().lastAnswer!.access_token));
    expect(view.auth.getAccessToken()).toBe(tokens[0]);
  });

  test('a refresh() after the previous one has settled sends a new request', async () => {
    const view = await renderSignedIn();
    await act(async () => {
      await view.auth.refresh();
    });
    await act(async () => {
      await view.auth.refresh();
    });

    expect(server().callsTo('/auth/refresh/')).toHaveLength(2);
  });

  test('when navigator.locks exists the refresh request runs inside the auth-kit.refresh Web Lock', async () => {
    const view = await renderSignedIn();
    const request = stubWebLocks(server());
    let token: string | null = null;
    await act(async () => {
      token = await view.auth.refresh();
    });

    expect(request).toHaveBeenCalledTimes(1);
    expect(request).toHaveBeenCalledWith('auth-kit.refresh', expect.any(Function));
    const [call] = server().callsTo('/auth/refresh/');
    expect(call!.lockHeld).toBe(true);
    expect(server().lockHeld).toBe(false);
    expect(token).toBe(server().lastAnswer!.access_token);
    expect(view.auth.getAccessToken()).toBe(token);
  });

  test('a network error during a refresh keeps the authenticated status and sets error without signing out', async () => {
    const view = await renderSignedIn();
    const token = view.auth.getAccessToken();
    const csrf = localStorage.getItem(CSRF_KEY);
    server().next('/auth/refresh/', 'network');
    let result: string | null = 'unset';
    await act(async () => {
      result = await view.auth.refresh();
    });

    expect(result).toBeNull();
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.user).toMatchObject({ id: 7, username: 'alice' });
    expect(view.auth.error).toEqual({
      source: 'refresh',
      code: 'network_error',
      detail: 'The server cannot be reached.',
      status: 0,
    });
    expect(view.auth.getAccessToken()).toBe(token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(csrf);
  });

  test('a 200 refresh whose body never arrives (the page navigated away) stores nothing and keeps the session', async () => {
    const view = await renderSignedIn();
    const token = view.auth.getAccessToken();
    const csrf = localStorage.getItem(CSRF_KEY);
    const aborted = new ReadableStream({
      start(controller) {
        controller.error(new DOMException('The user aborted a request.', 'AbortError'));
      },
    });
    server().next('/auth/refresh/', new Response(aborted, { status: 200 }));
    let result: string | null = 'unset';
    await act(async () => {
      result = await view.auth.refresh();
    });

    expect(result).toBeNull();
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.error).toMatchObject({ code: 'network_error', status: 0 });
    expect(view.auth.getAccessToken()).toBe(token);
    // Before the fix the empty answer was stored: localStorage held the string "undefined" and
    // the next refresh, in every tab, failed with 403 csrf_failed.
    expect(localStorage.getItem(CSRF_KEY)).toBe(csrf);
  });

  test('a 200 refresh answer without CSRF_token or access_token is refused, not stored', async () => {
    const view = await renderSignedIn();
    const csrf = localStorage.getItem(CSRF_KEY);
    server().next('/auth/refresh/', json(200, { access_token: 'x', expires: 1 }));
    server().next('/auth/refresh/', json(200, { CSRF_token: 'x', expires: 1 }));
    for (let i = 0; i < 2; i += 1) {
      await act(async () => {
        expect(await view.auth.refresh()).toBeNull();
      });
      expect(localStorage.getItem(CSRF_KEY)).toBe(csrf);
      expect(view.auth.status).toBe('authenticated');
    }
    await act(async () => {
      expect(await view.auth.refresh()).toBe(server().lastAnswer!.access_token);
    });
  });

  test('a 502 from a proxy in front, with an HTML or `null` body, is a server error: the session is kept and retried', async () => {
    const view = await renderSignedIn();
    const csrf = localStorage.getItem(CSRF_KEY);
    server().next('/auth/refresh/', new Response('<html>Bad gateway</html>', { status: 502 }));
    server().next(
      '/auth/refresh/',
      new Response('null', { status: 502, headers: { 'Content-Type': 'application/json' } }),
    );
    for (let i = 0; i < 2; i += 1) {
      await act(async () => {
        expect(await view.auth.refresh()).toBeNull();
      });
      expect(view.auth.status).toBe('authenticated');
      expect(view.auth.error).toEqual({
        source: 'refresh',
        code: 'server_error',
        detail: 'HTTP 502',
        status: 502,
        retryAfter: undefined,
      });
      expect(localStorage.getItem(CSRF_KEY)).toBe(csrf);
    }
  });

  test('a 403 csrf_failed refresh signs out and keeps the error', async () => {
    const view = await renderSignedIn();
    localStorage.setItem(CSRF_KEY, 'tampered');
    await act(async () => {
      await view.auth.refresh();
    });

    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.error).toMatchObject({ source: 'refresh', code: 'csrf_failed', status: 403 });
    expect(view.auth.getAccessToken()).toBeNull();
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
  });
});
