import type { ClientIdpSettings } from './types';

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
