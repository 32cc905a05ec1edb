import type { AuthClientErrorInfo, AuthUser, TokenAnswer } from './types';
import { decodeClaims } from './token-store';

/** The provider's state: a discriminated union on `status`. */
export type AuthState =
  | { status: 'loading'; user: null; error: AuthClientErrorInfo | null }
  | { status: 'authenticated'; user: AuthUser; error: AuthClientErrorInfo | null }
  | { status: 'unauthenticated'; user: null; error: AuthClientErrorInfo | null };

/** What can happen to the state. */
export type AuthAction =
  | { type: 'tokens'; answer: TokenAnswer }
  | { type: 'signed-out'; error?: AuthClientErrorInfo | null }
  | { type: 'error'; error: AuthClientErrorInfo };

/** The state before the first refresh has answered. */
export const initialAuthState: AuthState = { status: 'loading', user: null, error: null };

/** Builds the user from an answer's `user` member and its access token's claims. */
export function userFromAnswer(answer: TokenAnswer): AuthUser {
  const claims = decodeClaims(answer.access_token);
  // The one place the configured types meet the wire: the server built this answer with the
  // serializer and claims AuthUser is inferred from.
  return {
    id: Number(claims.user_id),
    username: claims.username as string | undefined,
    ...answer.user,
    claims,
  } as AuthUser;
}

/** The reducer: tokens sign in, signed-out signs out, errors are kept beside the status. */
export function authReducer(state: AuthState, action: AuthAction): AuthState {
  switch (action.type) {
    case 'tokens':
      return { status: 'authenticated', user: userFromAnswer(action.answer), error: null };
    case 'signed-out':
      return { status: 'unauthenticated', user: null, error: action.error ?? null };
    case 'error':
      return { ...state, error: action.error } as AuthState;
  }
}
