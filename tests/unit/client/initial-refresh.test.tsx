// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { getAccessToken } from '@/client';
import { jwtPayload } from './fake-server';
import { CSRF_KEY, renderAuth, installFakeBackend } from './harness';

const server = installFakeBackend();

describe('AuthProvider on mount', () => {
  test('with a stored CSRF token it refreshes through the cookie and goes from loading to authenticated with the answer user and the token claims', async () => {
    const csrf = server().seedSession('alice');
    localStorage.setItem(CSRF_KEY, csrf);

    const view = renderAuth();
    expect(screen.getByTestId('status').textContent).toBe('loading');
    await waitFor(() => expect(view.auth.status).toBe('authenticated'));

    expect(view.statuses()).toEqual(['loading', 'authenticated']);
    const [call] = server().callsTo('/auth/refresh/');
    expect(server().calls).toHaveLength(1);
    expect(call).toMatchObject({ method: 'POST', body: { CSRF_token: csrf } });
    expect(call!.headers.get('content-type')).toBe('application/json');

    const token = view.auth.getAccessToken()!;
    const claims = jwtPayload(token);
    expect(view.auth.user).toMatchObject({
      id: 7,
      username: 'alice',
      email: 'alice@example.com',
      first_name: 'Alice',
      last_name: 'Ærø',
      claims: {
        user_id: 7,
        username: 'alice',
        exp: claims.exp,
        full_name: 'Alice Ærø',
        token_type: 'access',
      },
    });
    expect(view.auth.error).toBeNull();
    expect(getAccessToken()).toBe(token);
  });

  test('when the refresh is refused with 401 it ends unauthenticated and removes the stored CSRF token', async () => {
    localStorage.setItem(CSRF_KEY, 'csrf-of-an-expired-session');

    const view = renderAuth();
    expect(view.auth.status).toBe('loading');
    await waitFor(() => expect(view.auth.status).toBe('unauthenticated'));

    expect(view.statuses()).toEqual(['loading', 'unauthenticated']);
    expect(server().callsTo('/auth/refresh/')).toHaveLength(1);
    expect(server().callsTo('/auth/refresh/')[0]!.body).toEqual({
      CSRF_token: 'csrf-of-an-expired-session',
    });
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
    expect(view.auth.user).toBeNull();
    expect(view.auth.error).toBeNull();
    expect(view.auth.getAccessToken()).toBeNull();
  });

  test('without a stored CSRF token it is unauthenticated at once and sends no request', () => {
    const view = renderAuth();

    expect(view.auth.status).toBe('unauthenticated');
    expect(screen.getByTestId('status').textContent).toBe('unauthenticated');
    expect(server().fetch).not.toHaveBeenCalled();
    expect(view.auth.user).toBeNull();
  });
});
