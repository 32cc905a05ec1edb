'use client';

import { useContext } from 'react';
import { AuthContext, type AuthContextValue } from './context';

/**
 * The auth state and actions of the nearest <AuthProvider>.
 * @throws Error when used outside <AuthProvider>.
 * @example
 * const { status, user, signIn, signOut, authFetch } = useAuth();
 * if (status === 'authenticated') console.log(user.username);
 */
export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth() must be used inside <AuthProvider> (see app/layout.tsx)');
  return value;
}
