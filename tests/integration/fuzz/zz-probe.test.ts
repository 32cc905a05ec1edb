import { it } from 'vitest';
import { createCognitoTokenMinter } from '../../support/cognito-tokens';
import { serveJson } from '../../support/json-server';
import { jsonBytes } from './support/http';
import { sendTo, startFuzzKit } from './support/kit';

it('probe', async () => {
  const minter = createCognitoTokenMinter({ userPoolId: 'us-east-1_KitFuzz', clientId: 'c' });
  const jwks = await serveJson(minter.jwks);
  const kit = (await startFuzzKit('pglite', { COGNITO_USER_POOL_ID: 'us-east-1_KitFuzz', COGNITO_CLIENT_ID: 'c', AUTH_IDP_JWKS_URL: jwks.url }))!;
  let n = 0;
  try {
    for (const [label, idClaims, accessClaims] of [
      ['exp -1e300 (id)', { exp: -1e300 }, {}],
      ['exp -1e300 (access)', {}, { exp: -1e300 }],
      ['nbf 1e300', { nbf: 1e300 }, {}],
      ['exp 1e300', { exp: 1e300 }, {}],
      ['family_name NUL', { family_name: 'x\u0000' }, {}],
      ['email NUL', { email: 'a\u0000@example.com', email_verified: true }, {}],
      ['cognito:username NUL', { 'cognito:username': 'a\u0000b' }, {}],
      ['auth_time 1e300', { auth_time: -1e300 }, {}],
    ] as const) {
      n++;
      const sub = `probe-${n}-${Date.now()}`;
      const t = await minter.mint({ idClaims: { sub, email: `p${n}@example.com`, 'cognito:username': `p${n}`, ...idClaims }, accessClaims: { sub, ...accessClaims } });
      const r = await sendTo(kit, { method: 'POST', path: '/auth/social-exchange/', headers: { 'content-type': 'application/json' }, body: jsonBytes({ id_token: t.id_token, access_token: t.access_token }) });
      console.log(label, '->', r.status, r.text.slice(0, 120));
    }
  } finally {
    console.log(kit.output().split('\n').filter((l) => l.includes('unexpected')).map((l) => l.slice(0, 400)).join('\n'));
    await kit.stop();
    await jwks.close();
  }
}, 120000);
