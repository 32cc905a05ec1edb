import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createCognitoTokenMinter } from '../../../support/cognito-tokens';

const pool = { userPoolId: 'eu-west-1_Minted123', clientId: 'minted-client' };
const minter = createCognitoTokenMinter(pool);

function verifier(tokenUse: 'id' | 'access') {
  const v = CognitoJwtVerifier.create({ ...pool, tokenUse });
  v.cacheJwks(minter.jwks);
  return v;
}

describe('createCognitoTokenMinter', () => {
  it('mints id and access tokens that CognitoJwtVerifier accepts', async () => {
    const { id_token, access_token } = await minter.mint();
    expect(minter.issuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Minted123');
    const id = await verifier('id').verify(id_token);
    const access = await verifier('access').verify(access_token);
    expect(id).toMatchObject({ token_use: 'id', aud: 'minted-client', email_verified: true });
    expect(access).toMatchObject({ token_use: 'access', client_id: 'minted-client', sub: id.sub });
  });

  it('produces tokens signed by a key outside the JWKS when asked', async () => {
    const { id_token, access_token } = await minter.mint({ signWithOtherKey: true });
    await expect(verifier('id').verify(id_token)).rejects.toThrow(/signature/i);
    await expect(verifier('access').verify(access_token)).rejects.toThrow(/signature/i);
  });

  it.each([
    ['expired', { expiresInSeconds: -60 }, /expired/i],
    ['wrong aud', { idClaims: { aud: 'other-client' } }, /client id|audience/i],
    ['wrong issuer', { idClaims: { iss: 'https://evil.example' } }, /issuer/i],
    ['swapped token_use', { idClaims: { token_use: 'access' } }, /token use/i],
  ])('lets tests craft a rejected id token: %s', async (_label, options, message) => {
    const { id_token } = await minter.mint(options);
    await expect(verifier('id').verify(id_token)).rejects.toThrow(message);
  });

  it('can mint a kid absent from the JWKS', async () => {
    const { id_token } = await minter.mint({ kid: 'nope' });
    // verify() would try to download the real Cognito JWKS for an unknown kid; verifySync stays offline.
    expect(() => verifier('id').verifySync(id_token)).toThrow(/kid/i);
  });

  it('rejects an access token minted for another client', async () => {
    const { access_token } = await minter.mint({ accessClaims: { client_id: 'other' } });
    await expect(verifier('access').verify(access_token)).rejects.toThrow(/client id/i);
  });

  it('removes claims overridden with undefined and changes others independently', async () => {
    const minted = await minter.mint({
      idClaims: { email_verified: undefined },
      accessClaims: { sub: 'someone-else' },
    });
    expect(decodeJwt(minted.id_token)).not.toHaveProperty('email_verified');
    expect(decodeJwt(minted.access_token).sub).toBe('someone-else');
    expect(minted.idClaims.sub).toBe(minter.user.sub);
  });
});
