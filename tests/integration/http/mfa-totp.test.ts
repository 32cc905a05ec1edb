import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '@/auth/mfa/totp';
import { expectError, expectNoStackTrace } from '../../support/assertions';
import { createCognitoTokenMinter } from '../../support/cognito-tokens';
import { CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE } from '../../support/cookies';
import { skipWithoutPostgres } from '../../support/databases';
import { HttpClient, setCookies } from '../../support/http-client';
import { serveJson } from '../../support/json-server';
import { HTTP_BACKENDS, startKit, type KitServer } from '../../support/kit-servers';
import { PATHS, signIn, type TokenBody } from '../../support/requests';

const PASSWORD = 'correct-horse-battery';
const POOL = 'us-east-1_KitMfa';
const CLIENT = 'kit-mfa-client';

const MFA = {
  setup: '/auth/mfa/totp/setup/',
  confirm: '/auth/mfa/totp/confirm/',
  disable: '/auth/mfa/totp/disable/',
  regenerate: '/auth/mfa/recovery-codes/regenerate/',
  verify: '/auth/mfa/verify/',
  reauthenticate: '/auth/reauthenticate/',
  account: '/auth/account/',
} as const;

// One user per test: codes are single use per 30-second step, and the throttle is per account.
const USERS = [
  'journey',
  'second-step',
  'recovery',
  'five-wrong',
  'bad-input',
  'disable',
  'reauth',
  'social',
  'regenerate',
];

/** A code of the step `seconds` from now: the next step's code is accepted once this one is used. */
const codeAt = (secret: string, seconds = 0) =>
  totpCode(secret, new Date(Date.now() + seconds * 1000));

describe.each(HTTP_BACKENDS)('TOTP and the second step over next start on %s', (backend) => {
  const minter = createCognitoTokenMinter({ userPoolId: POOL, clientId: CLIENT });
  let jwks: Awaited<ReturnType<typeof serveJson>>;
  let kit: KitServer | null = null;
  beforeAll(async () => {
    jwks = await serveJson(minter.jwks);
    kit = await startKit(backend, {
      env: {
        COGNITO_USER_POOL_ID: POOL,
        COGNITO_CLIENT_ID: CLIENT,
        AUTH_IDP_JWKS_URL: jwks.url,
        AUTH_THROTTLE: 'username=5/900,address=1000/900',
      },
      users: USERS.map((username) => ({
        username,
        password: PASSWORD,
        email: `${username}@example.com`,
        emailVerified: true,
      })),
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await jwks?.close();
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** Signs in and turns TOTP on over HTTP (the current code confirms it): what the tests reuse. */
  async function enroll(username: string) {
    const client = new HttpClient(kit!.url);
    const { body } = await signIn(client, username, PASSWORD);
    const setup = await client.post(MFA.setup, {}, bearer(body.access_token));
    expect(setup.status).toBe(200);
    const { secret } = (await setup.json()) as { secret: string };
    const confirm = await client.post(
      MFA.confirm,
      { code: codeAt(secret) },
      bearer(body.access_token),
    );
    expect(confirm.status).toBe(200);
    const { recovery_codes } = (await confirm.json()) as { recovery_codes: string[] };
    return { client, access: body.access_token, secret, recoveryCodes: recovery_codes };
  }

  /** The first step of sign-in for a user with TOTP on: asserts its exact answer. */
  async function firstStep(client: HttpClient, username: string) {
    const response = await client.post(PATHS.signIn, { username, password: PASSWORD });
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status: 200 });
    expect(setCookies(response)).toEqual([]);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(text) as {
      mfa_required: boolean;
      mfa_token: string;
      methods: string[];
    };
    expect(Object.keys(body).sort()).toEqual(['methods', 'mfa_required', 'mfa_token']);
    expect(body.mfa_required).toBe(true);
    return body;
  }

  /** Asserts an answer is the sign-in answer: exact body keys, the three cookies (and the device one). */
  async function expectSignInAnswer(
    response: Response,
    { device = true } = {},
  ): Promise<TokenBody> {
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status: 200 });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(text) as TokenBody;
    expect(Object.keys(body).sort()).toEqual(['CSRF_token', 'access_token', 'expires', 'user']);
    expect(body.expires).toBe(decodeJwt(body.access_token).exp);
    const names = setCookies(response)
      .map((c) => c.name)
      .sort();
    expect(names).toEqual(
      [CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE, ...(device ? ['device'] : [])].sort(),
    );
    return body;
  }

  it('turns TOTP on: setup answers secret, otpauth_uri and qr_svg; confirm ten recovery codes; the account shows it', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, 'journey', PASSWORD);
    const setup = await client.post(MFA.setup, {}, bearer(body.access_token));
    expect(setup.status).toBe(200);
    expect(setup.headers.get('cache-control')).toBe('no-store');
    const started = (await setup.json()) as Record<string, string>;
    expect(Object.keys(started).sort()).toEqual(['otpauth_uri', 'qr_svg', 'secret']);
    expect(started.otpauth_uri).toMatch(/^otpauth:\/\/totp\/.*journey.*secret=/);
    expect(started.qr_svg).toMatch(/^<svg /);
    const confirm = await client.post(
      MFA.confirm,
      { code: codeAt(started.secret!) },
      bearer(body.access_token),
    );
    const confirmed = (await confirm.json()) as { recovery_codes: string[] };
    expect(Object.keys(confirmed)).toEqual(['recovery_codes']);
    expect(confirmed.recovery_codes).toHaveLength(10);
    const account = await client.request('GET', MFA.account, {
      headers: bearer(body.access_token),
    });
    expect(((await account.json()) as { mfa: unknown }).mfa).toEqual({
      totp: true,
      passkeys: 0,
      recovery_codes_left: 10,
    });
  });

  it('asks a right password for the second step with no cookie, then answers exactly as sign-in', async (context) => {
    skipWithoutPostgres(context, kit);
    const { secret } = await enroll('second-step');
    const client = new HttpClient(kit.url);
    const step = await firstStep(client, 'second-step');
    expect(step.methods).toEqual(['totp', 'recovery_code']);
    // A wrong password is the usual 401, with no hint of the second factor.
    await expectError(
      await client.post(PATHS.signIn, { username: 'second-step', password: 'wrong-password' }),
      401,
      'authentication_failed',
    );
    const code = codeAt(secret, 30);
    const body = await expectSignInAnswer(
      await client.post(MFA.verify, { mfa_token: step.mfa_token, code }),
    );
    expect(decodeJwt(body.access_token)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
    expect(body.user).toMatchObject({ username: 'second-step' });
    // The session works: refresh with its cookies.
    const refreshed = await client.post(PATHS.refresh, { CSRF_token: body.CSRF_token });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(((await refreshed.json()) as TokenBody).access_token).amr).toEqual([
      'pwd',
      'otp',
      'mfa',
    ]);
    // The token is used: 401 token_not_valid. The code is used: in a new sign-in, 401.
    await expectError(
      await client.post(MFA.verify, { mfa_token: step.mfa_token, code }),
      401,
      'token_not_valid',
    );
    const again = await firstStep(new HttpClient(kit.url), 'second-step');
    await expectError(
      await client.post(MFA.verify, { mfa_token: again.mfa_token, code }),
      401,
      'authentication_failed',
    );
  });

  it('finishes with a recovery code once: amr pwd+mfa', async (context) => {
    skipWithoutPostgres(context, kit);
    const { recoveryCodes } = await enroll('recovery');
    const client = new HttpClient(kit.url);
    const first = await firstStep(client, 'recovery');
    const body = await expectSignInAnswer(
      await client.post(MFA.verify, {
        mfa_token: first.mfa_token,
        recovery_code: recoveryCodes[0],
      }),
    );
    expect(decodeJwt(body.access_token).amr).toEqual(['pwd', 'mfa']);
    const second = await firstStep(client, 'recovery');
    await expectError(
      await client.post(MFA.verify, {
        mfa_token: second.mfa_token,
        recovery_code: recoveryCodes[0],
      }),
      401,
      'authentication_failed',
    );
  });

  it('kills the mfa_token at the fifth wrong code: then the right code is 401 token_not_valid', async (context) => {
    skipWithoutPostgres(context, kit);
    const { secret } = await enroll('five-wrong');
    const client = new HttpClient(kit.url);
    const step = await firstStep(client, 'five-wrong');
    const right = codeAt(secret, 30);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      await expectError(
        await client.post(MFA.verify, { mfa_token: step.mfa_token, code: wrong }),
        401,
        'authentication_failed',
      );
    await expectError(
      await client.post(MFA.verify, { mfa_token: step.mfa_token, code: right }),
      401,
      'token_not_valid',
    );
    expect(kit.output()).toContain('"type":"mfa.challenge_failed"');
    expect(kit.output()).not.toContain(step.mfa_token);
  });

  it('answers every bad input with a clear 4xx, never a 500', async (context) => {
    skipWithoutPostgres(context, kit);
    const { access } = await enroll('bad-input');
    const client = new HttpClient(kit.url);
    const step = await firstStep(client, 'bad-input');
    for (const body of [
      {},
      { mfa_token: '' },
      { mfa_token: 5, code: '123456' },
      { mfa_token: step.mfa_token, code: 123456 },
      { mfa_token: step.mfa_token, recovery_code: ['x'] },
      { mfa_token: 'x'.repeat(600), code: '123456' },
    ])
      await expectError(await client.post(MFA.verify, body), 400, 'invalid_request', {
        fieldErrors: true,
      });
    await expectError(
      await client.post(MFA.verify, { mfa_token: step.mfa_token }),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    await expectError(
      await client.post(MFA.verify, { mfa_token: 'not-a-token', code: '123456' }),
      401,
      'token_not_valid',
    );
    await expectError(
      await client.post(MFA.verify, { mfa_token: step.mfa_token, code: '１２３ ４５６７' }),
      401,
      'authentication_failed',
    );
    const notJson = await client.request('POST', MFA.verify, {
      headers: { 'Content-Type': 'text/plain' },
      body: 'code=123456',
    });
    await expectError(notJson, 415, 'unsupported_media_type');
    const get = await client.request('GET', MFA.verify);
    await expectError(get, 405, 'method_not_allowed');
    expect(get.headers.get('allow')).toBe('POST');
    // Cross-site: refused before anything is read, as at sign-in.
    await expectError(
      await client.post(
        MFA.verify,
        { mfa_token: step.mfa_token, code: '123456' },
        { Origin: 'https://evil.example' },
      ),
      403,
      'csrf_failed',
    );
    await expectError(
      await client.post(
        MFA.verify,
        { mfa_token: step.mfa_token, code: '123456' },
        { 'Sec-Fetch-Site': 'cross-site' },
      ),
      403,
      'csrf_failed',
    );
    // Without the trailing slash too.
    await expectError(
      await client.post('/auth/mfa/verify', { mfa_token: 'nope', code: '123456' }),
      401,
      'token_not_valid',
    );
    // The Bearer endpoints need a Bearer token.
    for (const path of [MFA.setup, MFA.confirm, MFA.disable, MFA.regenerate, MFA.reauthenticate]) {
      const response = await client.post(path, path === MFA.confirm ? { code: '123456' } : {});
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expectError(response, 401, 'token_not_valid');
    }
    for (const body of [{ code: 5 }, { password: '' }, { code: 'x'.repeat(65) }])
      await expectError(
        await client.post(MFA.disable, body, bearer(access)),
        400,
        'invalid_request',
        {
          fieldErrors: true,
        },
      );
    await expectError(await client.post(MFA.confirm, {}, bearer(access)), 400, 'invalid_request', {
      fieldErrors: true,
    });
    const broken = await client.request('POST', MFA.setup, {
      headers: { 'Content-Type': 'application/json', ...bearer(access) },
      body: '{"password":',
    });
    const text = await broken.text();
    expect(broken.status).toBe(400);
    expectNoStackTrace(text);
  });

  it('turns TOTP off with a current code; then sign-in needs no second step', async (context) => {
    skipWithoutPostgres(context, kit);
    const { client, access, secret } = await enroll('disable');
    const wrong = await client.post(MFA.disable, { password: 'not-the-password' }, bearer(access));
    const body = await expectError(wrong, 400, 'invalid_request', { fieldErrors: true });
    expect(body.errors?.password).toBeDefined();
    const off = await client.post(MFA.disable, { code: codeAt(secret, 30) }, bearer(access));
    expect(off.status).toBe(200);
    await expectSignInAnswer(
      await new HttpClient(kit.url).post(PATHS.signIn, { username: 'disable', password: PASSWORD }),
    );
  });

  it('regenerates the recovery codes with a recent session', async (context) => {
    skipWithoutPostgres(context, kit);
    const { client, access, recoveryCodes } = await enroll('regenerate');
    const response = await client.post(MFA.regenerate, {}, bearer(access));
    expect(response.status).toBe(200);
    const { recovery_codes } = (await response.json()) as { recovery_codes: string[] };
    expect(recovery_codes).toHaveLength(10);
    expect(recovery_codes).not.toContain(recoveryCodes[0]);
  });

  it('re-authenticates with the password: new tokens as sign-in answers them, a fresh auth_time', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, 'reauth', PASSWORD);
    const before = decodeJwt(body.access_token);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const wrong = await client.post(
      MFA.reauthenticate,
      { password: 'nope' },
      bearer(body.access_token),
    );
    expect(
      (await expectError(wrong, 400, 'invalid_request', { fieldErrors: true })).errors?.password,
    ).toBeDefined();
    const fresh = await expectSignInAnswer(
      await client.post(MFA.reauthenticate, { password: PASSWORD }, bearer(body.access_token)),
      { device: false },
    );
    const after = decodeJwt(fresh.access_token);
    expect(after.sid).toBe(before.sid);
    expect(after.auth_time as number).toBeGreaterThan(before.auth_time as number);
    expect(after.amr).toEqual(['pwd']);
    await expectError(
      await client.post(
        MFA.reauthenticate,
        { password: PASSWORD, code: '123456' },
        bearer(body.access_token),
      ),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
  });

  it('asks a social exchange for the same second step: amr fed+otp+mfa', async (context) => {
    skipWithoutPostgres(context, kit);
    const { secret } = await enroll('social');
    const tokens = await minter.mint({
      idClaims: {
        sub: `social-sub-${backend}`,
        'cognito:username': 'social-idp',
        email: 'social@example.com',
        email_verified: true,
      },
      accessClaims: { sub: `social-sub-${backend}`, username: 'social-idp' },
    });
    const client = new HttpClient(kit.url);
    const response = await client.post('/auth/social-exchange/', {
      id_token: tokens.id_token,
      access_token: tokens.access_token,
    });
    expect(response.status).toBe(200);
    expect(setCookies(response)).toEqual([]);
    const step = (await response.json()) as { mfa_required: boolean; mfa_token: string };
    expect(step.mfa_required).toBe(true);
    const body = await expectSignInAnswer(
      await client.post(MFA.verify, { mfa_token: step.mfa_token, code: codeAt(secret, 30) }),
      { device: false },
    );
    expect(decodeJwt(body.access_token)).toMatchObject({ amr: ['fed', 'otp', 'mfa'] });
  });
});
