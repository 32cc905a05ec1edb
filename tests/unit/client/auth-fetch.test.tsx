// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { problem } from './fake-server';
import { installFakeBackend, renderSignedIn } from './harness';

const server = installFakeBackend();

async function authFetch(
  view: Awaited<ReturnType<typeof renderSignedIn>>,
  input: RequestInfo | URL,
  init?: RequestInit,
) {
  let response: Response | undefined;
  await act(async () => {
    response = await view.auth.authFetch(input, init);
  });
  return response!;
}

describe('authFetch()', () => {
  test('it sends the access token as an Authorization Bearer header', async () => {
    const view = await renderSignedIn();
    const token = view.auth.getAccessToken();

    const response = await authFetch(view, '/api/me');

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user_id: 7, username: 'alice' });
    const [call] = server().callsTo('/api/me');
    expect(call!.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(server().callsTo('/auth/refresh/')).toHaveLength(0);
  });

  test('it keeps the caller headers given in init beside the Authorization header', async () => {
    const view = await renderSignedIn();

    await authFetch(view, '/api/me', { headers: { 'X-Request-Id': 'abc-123' } });

    const [call] = server().callsTo('/api/me');
    expect(call!.headers.get('x-request-id')).toBe('abc-123');
    expect(call!.headers.get('authorization')).toBe(`Bearer ${view.auth.getAccessToken()}`);
  });

  test('it keeps the headers of a Request object it is given', async () => {
    const view = await renderSignedIn();

    await authFetch(view, new Request('/api/me', { headers: { 'X-Request-Id': 'abc-123' } }));

    const [call] = server().callsTo('/api/me');
    expect(call!.headers.get('authorization')).toBe(`Bearer ${view.auth.getAccessToken()}`);
    expect(call!.headers.get('x-request-id')).toBe('abc-123');
  });

  test('on a 401 it refreshes once and retries with the new access token', async () => {
    const view = await renderSignedIn();
    const stale = view.auth.getAccessToken();
    server().rejectIssuedAccessTokens();

    const response = await authFetch(view, '/api/me');

    expect(response.status).toBe(200);
    const fresh = server().lastAnswer!.access_token;
    expect(fresh).not.toBe(stale);
    expect(server().calls.map((call) => call.path)).toEqual([
      '/auth/sign-in/',
      '/api/me',
      '/auth/refresh/',
      '/api/me',
    ]);
    const [first, retry] = server().callsTo('/api/me');
    expect(first!.headers.get('authorization')).toBe(`Bearer ${stale}`);
    expect(retry!.headers.get('authorization')).toBe(`Bearer ${fresh}`);
    expect(view.auth.getAccessToken()).toBe(fresh);
  });

  test('a second 401 after the refresh is returned instead of refreshing again', async () => {
    const view = await renderSignedIn();
    const unauthorized = () =>
      problem(401, 'token_not_valid', 'Token is invalid or expired.', {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    server()
      .next('/api/me', unauthorized)
      .next('/api/me', unauthorized)
      .next('/api/me', unauthorized);

    const response = await authFetch(view, '/api/me');

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      detail: 'Token is invalid or expired.',
      code: 'token_not_valid',
    });
    expect(server().callsTo('/api/me')).toHaveLength(2);
    expect(server().callsTo('/auth/refresh/')).toHaveLength(1);
    expect(view.auth.status).toBe('authenticated');
  });
});
