'use client';

import { useContext, useMemo } from 'react';
import { AuthContext, type AuthContextValue } from './context';
import { usePasskeysSupported } from './webauthn';

/**
 * The auth state and actions of the nearest <AuthProvider>.
 * @throws Error when used outside <AuthProvider>.
 * @example
 * const { status, user, signIn, signOut, authFetch } = useAuth();
 * if (status === 'authenticated') console.log(user.username);
 */
export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  // Read here, not in the provider: it is false during hydration and true right after, and that
  // change, made in the provider, would reach every part of the page still waiting to hydrate
  // (a <Suspense> whose code is loading) as an urgent update, which React answers by throwing
  // that part's server HTML away, with whatever the user had typed into it.
  const passkeysSupported = usePasskeysSupported();
  const withBrowser = useMemo(
    () => (value ? ({ ...value, passkeysSupported } as AuthContextValue) : null),
    [value, passkeysSupported],
  );
  if (!withBrowser)
    throw new Error('useAuth() must be used inside <AuthProvider> (see app/layout.tsx)');
  return withBrowser;
}
