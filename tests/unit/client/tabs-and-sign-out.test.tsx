// @vitest-environment happy-dom
import { act, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { getAccessToken } from '@/client';
import { CSRF_KEY, renderAuth, installFakeBackend, renderSignedIn } from './harness';

const server = installFakeBackend();

/** Another "tab": a second BroadcastChannel on the kit's channel name. */
const others: BroadcastChannel[] = [];
function otherTab() {
  const channel = new BroadcastChannel('auth-kit');
  others.push(channel);
  const received: unknown[] = [];
  channel.onmessage = (event: MessageEvent) => received.push(event.data);
  return { channel, received };
}
afterEach(() => {
  for (const channel of others.splice(0)) channel.close();
});

describe('tabs', () => {
  test('a signed-out message from another tab makes this tab unauthenticated', async () => {
    const view = await renderSignedIn();
    const tab = otherTab();

    tab.channel.postMessage({ type: 'signed-out' });

    await waitFor(() => expect(view.auth.status).toBe('unauthenticated'));
    expect(view.auth.user).toBeNull();
    expect(view.auth.getAccessToken()).toBeNull();
    expect(getAccessToken()).toBeNull();
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
    expect(server().callsTo('/auth/logoff/')).toHaveLength(0);
  });

  test('a signed-in message from another tab makes this tab refresh and become authenticated', async () => {
    const view = renderAuth();
    expect(view.auth.status).toBe('unauthenticated');
    const tab = otherTab();
    // The other tab signed in: the cookie jar and localStorage are shared between tabs.
    localStorage.setItem(CSRF_KEY, server().seedSession('bob'));

    tab.channel.postMessage({ type: 'signed-in' });

    await waitFor(() => expect(view.auth.status).toBe('authenticated'));
    expect(server().callsTo('/auth/refresh/')).toHaveLength(1);
    expect(view.auth.user).toMatchObject({ id: 8, username: 'bob' });
  });

  test('signIn() tells the other tabs with a signed-in message', async () => {
    const tab = otherTab();
    await renderSignedIn();

    await waitFor(() => expect(tab.received).toEqual([{ type: 'signed-in' }]));
  });
});

describe('signOut()', () => {
  test('it logs off with the stored CSRF token, posts signed-out to the other tabs and ends unauthenticated', async () => {
    const view = await renderSignedIn();
    const csrf = localStorage.getItem(CSRF_KEY);
    expect(csrf).toBeTruthy();
    const tab = otherTab();

    await act(async () => {
      await view.auth.signOut();
    });

    const logoffs = server().callsTo('/auth/logoff/');
    expect(logoffs).toHaveLength(1);
    expect(logoffs[0]).toMatchObject({ method: 'POST', body: { CSRF_token: csrf } });
    expect(server().callsTo('/auth/logoff-all/')).toHaveLength(0);
    expect(server().cookie).toBeNull();
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.getAccessToken()).toBeNull();
    expect(localStorage.getItem(CSRF_KEY)).toBeNull();
    await waitFor(() => expect(tab.received).toEqual([{ type: 'signed-out' }]));
  });

  test('signOut({ everywhere: true }) calls /auth/logoff-all/ with the Bearer access token', async () => {
    const view = await renderSignedIn();
    const token = view.auth.getAccessToken();
    const tab = otherTab();

    await act(async () => {
      await view.auth.signOut({ everywhere: true });
    });

    const [call] = server().callsTo('/auth/logoff-all/');
    expect(call).toBeDefined();
    expect(call!.method).toBe('POST');
    expect(call!.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(server().callsTo('/auth/logoff/')).toHaveLength(0);
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.error).toBeNull();
    await waitFor(() => expect(tab.received).toEqual([{ type: 'signed-out' }]));
  });
});
