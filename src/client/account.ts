import { asTokenAnswer, postForDetail, postForTokens, requestJson, unreadableAnswer } from './api';
import type { SignInResult, SignUpResult } from './context';
import type { ProviderParts } from './lazy';
import { startSession } from './refresh';
import type {
  AccountInfo,
  AuthClientErrorInfo,
  SessionInfo,
  SignUpFields,
  TokenAnswer,
} from './types';

// The account members of useAuth() (docs/client.md): sign-up, the mailed links (verification,
// password reset), and the signed-in user's password, address, account and sessions. No sign-in
// needs them, so the provider imports this module on their first call (lazy.ts).

/** The account endpoints as the client calls them (docs/endpoints.md). */
export const accountApi = {
  /** 201 with tokens (verification off), or 202 `{ detail }` (a mail was sent). */
  async signUp(
    fields: SignUpFields,
  ): Promise<{ signedIn: true; answer: TokenAnswer } | { signedIn: false; detail: string }> {
    const { status, data } = await requestJson<{ detail?: unknown } | null>('/sign-up/', {
      body: fields,
    });
    if (status === 201) return { signedIn: true, answer: asTokenAnswer(data) };
    return { signedIn: false, detail: typeof data?.detail === 'string' ? data.detail : '' };
  },
  verifyEmail: (token: string) => postForTokens('/email/verify/', { token }),
  resendVerification: (email: string) => postForDetail('/email/resend/', { email }),
  requestPasswordReset: (email: string) => postForDetail('/password-reset/', { email }),
  confirmPasswordReset: (token: string, password: string) =>
    postForDetail('/password-reset/confirm/', { token, password }),
  changePassword: (accessToken: string, currentPassword: string, newPassword: string) =>
    postForTokens(
      '/password/',
      { current_password: currentPassword, new_password: newPassword },
      accessToken,
    ),
  changeEmail: (accessToken: string, newEmail: string, password: string) =>
    postForDetail('/email/change/', { new_email: newEmail, password }, accessToken),
  async account(accessToken: string): Promise<AccountInfo> {
    return (await requestJson<AccountInfo>('/account/', { method: 'GET', accessToken })).data;
  },
  deleteAccount: (accessToken: string, password: string | undefined) =>
    postForDetail('/account/delete/', password === undefined ? {} : { password }, accessToken),
  async sessions(accessToken: string): Promise<SessionInfo[]> {
    const { data } = await requestJson<{ sessions?: SessionInfo[] } | null>('/sessions/', {
      method: 'GET',
      accessToken,
    });
    if (!Array.isArray(data?.sessions)) throw unreadableAnswer();
    return data.sessions;
  },
  revokeSession: (accessToken: string, sid: string) =>
    postForDetail('/sessions/revoke/', { sid }, accessToken),
};

type Source = AuthClientErrorInfo['source'];

/** The account members, built on the provider's parts (each resolves to a result, never rejects). */
export function accountMembers({
  attempt,
  withBearer,
  signedIn,
  signInWith,
  endedHere,
  refresh,
  signOut,
  signedInNow,
  currentSid,
}: ProviderParts) {
  /** A call answered with a sentence. */
  const detailOf = (source: Source, call: () => Promise<string>) =>
    attempt(source, async () => ({ detail: await call() }));

  return {
    async signUp(fields: SignUpFields): Promise<SignUpResult> {
      const result = await attempt('sign-up', () => accountApi.signUp(fields));
      if (!result.ok) return result;
      if (!result.value.signedIn) return { ok: true, signedIn: false, detail: result.value.detail };
      signedIn(result.value.answer);
      return { ok: true, signedIn: true };
    },
    verifyEmail: (token: string): Promise<SignInResult> =>
      signInWith('email', () => startSession(() => accountApi.verifyEmail(token))),
    resendVerification: (email: string) =>
      detailOf('email', () => accountApi.resendVerification(email)),
    requestPasswordReset: (email: string) =>
      detailOf('password', () => accountApi.requestPasswordReset(email)),
    async resetPassword(token: string, password: string) {
      const result = await detailOf('password', () =>
        accountApi.confirmPasswordReset(token, password),
      );
      // A reset ends every session of that user: if it was this browser's, find out now rather
      // than at the next refresh (a refused refresh signs out).
      if (result.ok && signedInNow) await refresh();
      return result;
    },
    changePassword: (currentPassword: string, newPassword: string): Promise<SignInResult> =>
      signInWith('password', () =>
        withBearer((token) => accountApi.changePassword(token, currentPassword, newPassword)),
      ),
    changeEmail: (newEmail: string, password: string) =>
      detailOf('email', () =>
        withBearer((token) => accountApi.changeEmail(token, newEmail, password)),
      ),
    getAccount: () => attempt('account', () => withBearer((token) => accountApi.account(token))),
    async deleteAccount(password?: string) {
      const result = await detailOf('account', () =>
        withBearer((token) => accountApi.deleteAccount(token, password)),
      );
      if (result.ok) endedHere();
      return result;
    },
    listSessions: () =>
      attempt('sessions', () => withBearer((token) => accountApi.sessions(token))),
    async revokeSession(sid: string) {
      const result = await detailOf('sessions', () =>
        withBearer((token) => accountApi.revokeSession(token, sid)),
      );
      // This browser's own session: log off too, so its cookies go with it.
      if (result.ok && sid === currentSid) await signOut();
      return result;
    },
    revokeOtherSessions: () =>
      attempt('sessions', async () => {
        const sessions = await withBearer((token) => accountApi.sessions(token));
        // There is no "all but mine" endpoint: revoke the others one by one (a user has few).
        const others = sessions.filter((session) => !session.current && session.sid !== currentSid);
        for (const session of others)
          await withBearer((token) => accountApi.revokeSession(token, session.sid));
        return { revoked: others.length };
      }),
  };
}
