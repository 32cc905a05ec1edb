import type { UserManager } from 'oidc-client-ts';
import type { ClientIdpSettings } from './types';

let manager: Promise<UserManager> | null = null;

/**
 * The oidc-client-ts UserManager for the Cognito PKCE flow, created once. The library is loaded
 * only here, on first use, so pages that sign in with a password never download it. IdP tokens
 * are kept in memory only (they are exchanged, then dropped); the PKCE state lives in
 * sessionStorage so it survives the redirect to the hosted UI and back.
 */
export function getUserManager(idp: ClientIdpSettings, callbackPath: string): Promise<UserManager> {
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

/** Cognito's hosted-UI logout URL, which ends the IdP session and comes back to `logoutUri`. */
export function cognitoLogoutUrl(idp: ClientIdpSettings, logoutUri: string): string | null {
  if (!idp.domain) return null;
  const url = new URL(
    '/logout',
    idp.domain.startsWith('http') ? idp.domain : `https://${idp.domain}`,
  );
  url.searchParams.set('client_id', idp.clientId);
  url.searchParams.set('logout_uri', logoutUri);
  return url.toString();
}
