import type { UserManager } from 'oidc-client-ts';
import { authApi } from './api';
import { safeRelativePath } from './redirects';
import { SecondFactorRequired } from './second-step';
import type { ProviderParts } from './lazy';
import type { SecondFactorNeeded } from './mfa';
import type { AuthClientErrorInfo, ClientIdpSettings } from './types';

// The Cognito flow in the browser (OAuth 2.0 code grant with PKCE S256, docs/identity-providers.md).
// The provider imports this module on the first call of either member (lazy.ts), and this module
// loads oidc-client-ts only then: pages that sign in with a password never download either.

let manager: Promise<UserManager> | null = null;

/**
 * The oidc-client-ts UserManager for the Cognito PKCE flow, created once. IdP tokens are kept in
 * memory only (they are exchanged, then dropped); the PKCE state lives in sessionStorage so it
 * survives the redirect to the hosted UI and back.
 */
function getUserManager(idp: ClientIdpSettings, callbackPath: string): Promise<UserManager> {
  manager ??= import('oidc-client-ts').then(
    ({ UserManager, WebStorageStateStore, InMemoryWebStorage }) =>
      new UserManager({
        authority: idp.authority,
        client_id: idp.clientId,
        redirect_uri: `${window.location.origin}${callbackPath}`,
        response_type: 'code',
        scope: 'openid email profile',
        userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
        stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
        loadUserInfo: false,
        automaticSilentRenew: false,
        monitorSession: false,
      }),
  );
  // A chunk that failed to load is not cached: the next click tries again.
  manager.catch(() => {
    manager = null;
  });
  return manager;
}

/**
 * The Cognito members of useAuth() (docs/client.md), built on the provider's parts. Neither
 * rejects on a failure: it is reported in `error` of the hook (the caller of signInWithCognito
 * usually fires and forgets it), and a failed callback never ends a session this browser already
 * has in other tabs (a reload of /callback, a used code).
 */
export function cognitoMembers({
  attempt,
  signedIn,
  reportError,
  beginSecondStep,
  idp,
  callbackPath,
}: ProviderParts) {
  return {
    async signInWithCognito({ returnTo = '/' }: { returnTo?: string } = {}): Promise<void> {
      if (!idp) throw new Error('signInWithCognito: no IdP is configured (COGNITO_* settings)');
      const result = await attempt('cognito', async () => {
        const userManager = await getUserManager(idp, callbackPath);
        // The discovery document first: signinRedirect() answers any failure after it has
        // prepared the redirect with window.stop(), which cancels every other request of the
        // page (a passkey autofill's, a refresh) and turns their answers into network errors.
        // Fetched here, an unreachable IdP fails before that, and only this call fails.
        await userManager.metadataService.getMetadata();
        await userManager.signinRedirect({ state: { returnTo: safeRelativePath(returnTo) } });
      });
      if (!result.ok) reportError(result.error);
    },

    async completeCognitoSignIn(): Promise<
      | { ok: true; returnTo: string }
      | { ok: false; error: AuthClientErrorInfo }
      | (SecondFactorNeeded & { returnTo: string })
    > {
      let returnTo = '/';
      const result = await attempt('cognito', async () => {
        if (!idp) throw new Error('no IdP is configured');
        const userManager = await getUserManager(idp, callbackPath);
        const user = await userManager.signinCallback();
        if (!user?.id_token) throw new Error('the IdP answered without an id token');
        returnTo = safeRelativePath((user.state as { returnTo?: string } | undefined)?.returnTo);
        try {
          return await authApi
            .socialExchange({ id_token: user.id_token, access_token: user.access_token })
            .finally(() => userManager.removeUser()); // the IdP's tokens are exchanged, not kept
        } catch (error) {
          if (error instanceof SecondFactorRequired) return error;
          throw error;
        }
      });
      if (!result.ok) {
        reportError(result.error);
        return result;
      }
      // A user with TOTP on: the callback page asks for the code (verifySecondFactor).
      if (result.value instanceof SecondFactorRequired)
        return { ...beginSecondStep(result.value, 'cognito'), returnTo };
      signedIn(result.value);
      return { ok: true, returnTo };
    },
  };
}
