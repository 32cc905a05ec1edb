import type { AuthEnv } from './env';
import { parseAuthEnvPart, type ParsedEnv } from './env-schema';
import type { IdpSettings } from './types';

const IDP_VARIABLES = [
  'idpProvider',
  'cognitoRegion',
  'cognitoUserPoolId',
  'cognitoClientId',
  'cognitoDomain',
  'cognitoAuthority',
  'idpIssuer',
  'idpJwksUrl',
  'idpClientId',
] as const;

type IdpEnv = Pick<ParsedEnv, (typeof IDP_VARIABLES)[number]>;

/**
 * The identity provider the social exchange trusts, from validated settings: the code's before
 * the environment's. For Cognito the issuer follows from the region and the pool (the region
 * from the pool id when not given).
 */
export function idpSettings(options: Partial<IdpSettings>, env: IdpEnv): IdpSettings {
  const provider = options.provider ?? env.idpProvider ?? 'aws';
  const userPoolId = options.userPoolId ?? env.cognitoUserPoolId ?? null;
  const region = options.region ?? env.cognitoRegion ?? userPoolId?.split('_')[0] ?? null;
  const cognitoIssuer =
    region && userPoolId ? `https://cognito-idp.${region}.amazonaws.com/${userPoolId}` : null;
  const issuer = provider === 'aws' ? cognitoIssuer : (options.issuer ?? env.idpIssuer ?? null);
  return {
    provider,
    region,
    userPoolId,
    clientId: options.clientId ?? env.idpClientId ?? env.cognitoClientId ?? null,
    domain: options.domain ?? env.cognitoDomain ?? null,
    authority: options.authority ?? env.cognitoAuthority ?? issuer,
    issuer,
    jwksUrl: options.jwksUrl ?? env.idpJwksUrl ?? null,
  };
}

/**
 * The IdP settings from the (defined) options and the raw environment, needing no secret: the
 * browser's sign-in settings are read through this at request time (client-settings.ts).
 * @throws ConfigError naming a bad IdP variable.
 */
export function resolveIdp(options: Partial<IdpSettings>, env: AuthEnv): IdpSettings {
  return idpSettings(options, parseAuthEnvPart(env, IDP_VARIABLES));
}
