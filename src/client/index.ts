export { AuthProvider } from './AuthProvider';
export { useAuth } from './useAuth';
export { getAccessToken } from './token-store';
export { formatWait } from './messages';
export { describeSecondFactorError, needsReauthentication } from './mfa-messages';
export type { AuthContextValue, AuthResult, SignInResult, SignUpResult } from './context';
export type { AuthState } from './state';
export type {
  FactorConfirmation,
  PendingSecondFactor,
  ReauthenticateInput,
  SecondFactorInput,
  SecondFactorNeeded,
  SecondFactorResult,
  TotpSetup,
} from './mfa';
export type { SecondFactorMethod } from './second-step';
export type {
  AccountInfo,
  AuthUser,
  AuthClientErrorInfo,
  ClientIdpSettings,
  PasskeyInfo,
  Reauthentication,
  SessionInfo,
  SignUpFields,
} from './types';
export { describePasskeyError, isPasskeyCancel, type PasskeyAction } from './passkey-messages';
