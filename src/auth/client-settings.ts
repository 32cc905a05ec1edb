import 'server-only';
import userOptions from '@/auth.config';
import type { ClientIdpSettings } from '@/client/types';
import { readAuthEnv } from './config/env';
import { resolveIdp } from './config/resolve';

/**
 * The IdP settings the browser needs (authority, client id, hosted-UI domain), read from the
 * server's configuration at request time so one build runs against any IdP. Needs no secret.
 * Null when no IdP is configured.
 */
export function getClientIdpSettings(): ClientIdpSettings | null {
  const idp = resolveIdp(userOptions.idp ?? {}, readAuthEnv());
  if (!idp.authority || !idp.clientId) return null;
  return {
    provider: idp.provider,
    authority: idp.authority,
    clientId: idp.clientId,
    domain: idp.domain,
  };
}
