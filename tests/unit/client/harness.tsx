import { act, cleanup, render } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { AuthProvider, useAuth, type AuthContextValue } from '@/client';
import { clearTokens } from '@/client/token-store';
import { FakeAuthServer } from './fake-server';

/** Where the client keeps the CSRF token (src/client/token-store.ts). */
export const CSRF_KEY = 'auth-kit.csrf';
export const ALICE = { username: 'alice', password: 'correct horse battery staple' } as const;

/**
 * Per-test isolation for the client: a fresh fake server as `fetch`, empty storage, the
 * module-level token store cleared, and everything unmounted, unstubbed and real again after.
 * `create` makes the server (a FakeAuthServer with more endpoints, as in fake-passkeys.ts).
 * @returns a getter for the current test's server.
 */
export function installFakeBackend<Server extends FakeAuthServer = FakeAuthServer>(
  create: () => Server = () => new FakeAuthServer() as Server,
): () => Server {
  let server: Server;
  beforeEach(() => {
    server = create();
    vi.stubGlobal('fetch', server.fetch);
    localStorage.clear();
    sessionStorage.clear();
    clearTokens();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    delete (navigator as { locks?: unknown }).locks;
    clearTokens();
    localStorage.clear();
  });
  return () => server;
}

/**
 * Renders <AuthProvider> around a probe that records every context value it sees.
 * `view.auth` is the latest useAuth() value; `view.statuses()` the distinct statuses in order.
 */
export function renderAuth(props: Omit<ComponentProps<typeof AuthProvider>, 'children'> = {}) {
  const seen: AuthContextValue[] = [];
  function Probe() {
    const auth = useAuth();
    seen.push(auth);
    return <output data-testid="status">{auth.status}</output>;
  }
  const utils = render(
    <AuthProvider {...props}>
      <Probe />
    </AuthProvider>,
  );
  return {
    ...utils,
    get auth(): AuthContextValue {
      return seen[seen.length - 1]!;
    },
    statuses(): string[] {
      return seen
        .map((value) => value.status)
        .filter((status, index, all) => index === 0 || all[index - 1] !== status);
    },
  };
}

/** Renders the provider and signs ALICE in through the fake backend; fails unless it worked. */
export async function renderSignedIn(
  props: Omit<ComponentProps<typeof AuthProvider>, 'children'> = {},
) {
  const view = renderAuth(props);
  await act(async () => {
    await view.auth.signIn(ALICE.username, ALICE.password);
  });
  expect(view.auth.status).toBe('authenticated');
  return view;
}

/** A Web Locks stub that runs the callback at once, recording the lock name and telling `server` while held. */
export function stubWebLocks(server: FakeAuthServer) {
  const request = vi.fn(
    async (name: string, callback: (lock: { name: string; mode: string }) => unknown) => {
      server.lockHeld = true;
      try {
        return await callback({ name, mode: 'exclusive' });
      } finally {
        server.lockHeld = false;
      }
    },
  );
  Object.defineProperty(navigator, 'locks', { configurable: true, value: { request } });
  return request;
}
