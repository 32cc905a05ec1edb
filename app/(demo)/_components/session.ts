'use client';

import { useAuth, type AuthUser } from '@/client';

/** Who the demo's chrome shows as signed in: the few fields it prints, nothing more. */
export interface ShownUser {
  username: string;
  /** First and last name, or '' when the account has none. */
  name: string;
}

export function shownUserOf(user: AuthUser): ShownUser {
  const name = [user.first_name, user.last_name]
    .filter((part) => typeof part === 'string' && part.trim())
    .join(' ');
  return { username: user.username ?? String(user.claims.username ?? ''), name };
}

/**
 * The signed-in user to show: the server's answer (getCurrentUser() in the layout) until the
 * hook has asked the server itself, then the hook's live state, so the first paint is right
 * (no "Sign in" flash for a signed-in visitor) and a sign-out in any tab shows at once.
 */
export function useShownUser(serverUser: ShownUser | null): ShownUser | null {
  const { status, user } = useAuth();
  if (status === 'loading') return serverUser;
  return status === 'authenticated' ? shownUserOf(user) : null;
}
