import type { UserManager } from 'oidc-client-ts';
import { authApi } from './api';
import { safeRelativePath } from './redirects';
import { SecondFactorRequired } from './second-step';
import type { ClientIdpSettings, TokenAnswer } from './types';

// The Cognito flow in the browser (OAuth 2.0 code grant with PKCE S256, docs/identity-providers.md).
// The provider imports this module on the flow's first call, and this module loads oidc-client-ts
// only then: pages that sign in with a password never download either.

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

/** Redirects to the hosted UI; the callback page comes back to `returnTo` (a relative path). */
export async function redirectToCognito(
  idp: ClientIdpSettings,
  callbackPath: string,
  returnTo: string,
): Promise<void> {
  const userManager = await getUserManager(idp, callbackPath);
  await userManager.signinRedirect({ state: { returnTo: safeRelativePath(returnTo) } });
}

/**
 * On the callback page: completes the code exchange and trades the IdP's tokens for the kit's
 * (the social exchange), or for the second step a user with TOTP on must take.
 */
export async function finishCognito(
  idp: ClientIdpSettings,
  callbackPath: string,
): Promise<
  { returnTo: string; answer: TokenAnswer } | { returnTo: string; required: SecondFactorRequired }
> {
  const userManager = await getUserManager(idp, callbackPath);
  const user = await userManager.signinCallback();
  if (!user?.id_token) throw new Error('the IdP answered without an id token');
  const returnTo = safeRelativePath((user.state as { returnTo?: string } | undefined)?.returnTo);
  try {
    const answer = await authApi
      .socialExchange({ id_token: user.id_token, access_token: user.access_token })
      .finally(() => userManager.removeUser()); // the IdP's tokens are exchanged, not kept
    return { returnTo, answer };
  } catch (error) {
    if (error instanceof SecondFactorRequired) return { returnTo, required: error };
    throw error;
  }
}
