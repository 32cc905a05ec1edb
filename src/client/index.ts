export { AuthProvider } from './AuthProvider';
export { useAuth } from './useAuth';
export { getAccessToken } from './token-store';
export type { AuthContextValue, SignInResult } from './context';
export type { AuthState } from './state';
export type { AuthUser, AuthClientErrorInfo, ClientIdpSettings } from './types';
