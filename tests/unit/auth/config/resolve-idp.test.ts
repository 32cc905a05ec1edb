import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '@/auth/config/env';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthOptions, IdpSettings } from '@/auth/config/types';
import { STRONG_SECRET, devEnv, expectConfigError, makeDataDir } from './helpers';

let dataDir: string;
let remove: () => void;

beforeAll(() => {
  ({ dataDir, remove } = makeDataDir());
});

afterAll(() => remove());

async function idp(env: Partial<AuthEnv>, options: AuthOptions = {}): Promise<IdpSettings> {
  const config = await resolveAuthConfig(
    options,
    devEnv(dataDir, { secret: STRONG_SECRET, algorithm: 'HS256', ...env }),
  );
  return config.idp;
}

const POOL = { cognitoRegion: 'eu-west-1', cognitoUserPoolId: 'eu-west-1_AbC123xyZ' };
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyZ';

describe('the Cognito settings', () => {
  it('default to the aws provider', async () => {
    expect((await idp({})).provider).toBe('aws');
  });

  it('derive the issuer from the region and the user pool', async () => {
    expect((await idp(POOL)).issuer).toBe(ISSUER);
  });

  it('derive the region from the user pool id when COGNITO_REGION is unset', async () => {
    const settings = await idp({ cognitoUserPoolId: 'us-east-2_Zyx987' });
    expect([settings.region, settings.issuer]).toEqual([
      'us-east-2',
      'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Zyx987',
    ]);
  });

  it('default the authority to the issuer', async () => {
    expect((await idp(POOL)).authority).toBe(ISSUER);
  });

  it('take COGNITO_AUTHORITY for the authority without changing the issuer', async () => {
    const settings = await idp({ ...POOL, cognitoAuthority: 'http://localhost:4010' });
    expect([settings.authority, settings.issuer]).toEqual(['http://localhost:4010', ISSUER]);
  });

  it('read the client id, domain and JWKS URL from the environment', async () => {
    const settings = await idp({
      ...POOL,
      cognitoClientId: 'client-123',
      cognitoDomain: 'auth.example.com',
      idpJwksUrl: 'http://localhost:4010/.well-known/jwks.json',
    });
    expect([settings.clientId, settings.domain, settings.jwksUrl]).toEqual([
      'client-123',
      'auth.example.com',
      'http://localhost:4010/.well-known/jwks.json',
    ]);
  });

  it('have no issuer without a user pool', async () => {
    expect((await idp({ cognitoRegion: 'eu-west-1' })).issuer).toBeNull();
  });

  it('keep the Cognito issuer for the aws provider even when AUTH_IDP_ISSUER is set', async () => {
    expect((await idp({ ...POOL, idpIssuer: 'https://evil.example' })).issuer).toBe(ISSUER);
  });

  it('take the issuer from AUTH_IDP_ISSUER for the oidc provider', async () => {
    expect(
      (await idp({ idpProvider: 'oidc', idpIssuer: 'https://login.example.com' })).issuer,
    ).toBe('https://login.example.com');
  });

  it('take the user pool from the code before the environment', async () => {
    expect((await idp(POOL, { idp: { userPoolId: 'eu-west-1_FromCode' } })).userPoolId).toBe(
      'eu-west-1_FromCode',
    );
  });

  it.each([
    'not-a-pool',
    'https://evil.example/x_y',
    'eu-west-1_abc/../x',
    'eu-west-1_',
    'eu.west.1_abc',
  ])('refuse the user pool id %j, naming COGNITO_USER_POOL_ID', async (cognitoUserPoolId) => {
    await expectConfigError(
      () => idp({ cognitoRegion: 'eu-west-1', cognitoUserPoolId }),
      'COGNITO_USER_POOL_ID',
    );
  });

  it('refuse a bad user pool id set in code, naming idp.userPoolId', async () => {
    await expectConfigError(() => idp({}, { idp: { userPoolId: 'not-a-pool' } }), 'idp.userPoolId');
  });

  it('refuse an unknown AUTH_IDP_PROVIDER, naming it', async () => {
    await expectConfigError(
      () => idp({ idpProvider: 'saml' }),
      'AUTH_IDP_PROVIDER must be aws or oidc (got "saml")',
    );
  });

  it('refuse an unknown provider set in code, naming idp.provider', async () => {
    await expectConfigError(
      () => idp({}, { idp: { provider: 'saml' as 'aws' } }),
      'idp.provider must be "aws" or "oidc"',
    );
  });
});
