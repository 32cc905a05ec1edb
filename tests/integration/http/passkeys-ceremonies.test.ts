import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../../support/assertions';
import { CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE } from '../../support/cookies';
import { skipWithoutPostgres } from '../../support/databases';
import { HttpClient, setCookies } from '../../support/http-client';
import { HTTP_BACKENDS, startKit, type KitServer } from '../../support/kit-servers';
import { freePort } from '../../support/next-server';
import { PATHS, signIn, type TokenBody } from '../../support/requests';
import { SoftAuthenticator } from '../../support/soft-authenticator';

const PASSWORD = 'correct-horse-battery';

const PASSKEYS = {
  list: '/auth/passkeys/',
  registerOptions: '/auth/passkeys/register/options/',
  register: '/auth/passkeys/register/',
  delete: '/auth/passkeys/delete/',
  signInOptions: '/auth/passkeys/sign-in/options/',
  signIn: '/auth/passkeys/sign-in/',
  reauthenticate: '/auth/reauthenticate/',
} as const;

const USERS = ['ceremony', 'cross-site', 'bad-input', 'owner', 'stranger', 'reauth'];

/**
 * The passkey ceremonies over real HTTP with the software authenticator in place of a browser:
 * the relying party is `http://localhost:<port>` (AUTH_APP_URL; WebAuthn refuses IP addresses),
 * while the test talks to 127.0.0.1 on the same port. The responses have the shape
 * @simplewebauthn/browser's startRegistration() and startAuthentication() produce.
 */
describe.each(HTTP_BACKENDS)('passkeys over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  let origin = '';
  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    kit = await startKit(backend, {
      port,
      env: { AUTH_APP_URL: origin, AUTH_THROTTLE: 'username=5/900,address=1000/900' },
      users: USERS.map((username) => ({ username, password: PASSWORD })),
    });
  });
  afterAll(async () => kit?.stop());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** Signs in with the password and registers a passkey of a new software authenticator. */
  async function withPasskey(username: string, name?: string) {
    const client = new HttpClient(kit!.url);
    const { body } = await signIn(client, username, PASSWORD);
    const authenticator = new SoftAuthenticator(origin, 'localhost');
    const optionsResponse = await client.post(
      PASSKEYS.registerOptions,
      {},
      bearer(body.access_token),
    );
    expect(optionsResponse.status).toBe(200);
    const options = await optionsResponse.json();
    const registered = await client.post(
      PASSKEYS.register,
      { response: authenticator.register(options), ...(name ? { name } : {}) },
      bearer(body.access_token),
    );
    const text = await registered.text();
    expect({ status: registered.status, text }).toMatchObject({ status: 201 });
    return { client, access: body.access_token, authenticator, passkey: JSON.parse(text) };
  }

  /** Fresh sign-in options, answered by `authenticator`. */
  async function assertion(client: HttpClient, authenticator: SoftAuthenticator) {
    const response = await client.post(PASSKEYS.signInOptions, {});
    expect(response.status).toBe(200);
    const options = (await response.json()) as { challenge: string; allowCredentials?: unknown[] };
    return { options, response: authenticator.authenticate(options) };
  }

  it('registers a passkey from a Bearer session, lists it, and signs in with it exactly as sign-in', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, 'ceremony', PASSWORD);
    const optionsResponse = await client.post(
      PASSKEYS.registerOptions,
      {},
      bearer(body.access_token),
    );
    expect(optionsResponse.headers.get('cache-control')).toBe('no-store');
    const options = await optionsResponse.json();
    expect(options).toMatchObject({
      rp: { id: 'localhost' },
      user: { name: 'ceremony' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'none',
    });
    const authenticator = new SoftAuthenticator(origin, 'localhost');
    const registered = await client.post(
      PASSKEYS.register,
      { response: authenticator.register(options), name: 'Laptop' },
      bearer(body.access_token),
    );
    expect(registered.status).toBe(201);
    const passkey = (await registered.json()) as Record<string, unknown>;
    expect(Object.keys(passkey).sort()).toEqual(['created', 'id', 'last_used', 'name']);
    expect(passkey).toMatchObject({ id: authenticator.id, name: 'Laptop', last_used: null });
    const list = await client.request('GET', PASSKEYS.list, { headers: bearer(body.access_token) });
    expect(await list.json()).toEqual({ passkeys: [passkey] });

    // Sign in with it, in a browser that holds no cookie: no username, amr hwk+user.
    const browser = new HttpClient(kit.url);
    const { options: request, response } = await assertion(browser, authenticator);
    expect(request.allowCredentials ?? []).toEqual([]);
    const answer = await browser.post(PASSKEYS.signIn, { response });
    const text = await answer.text();
    expect({ status: answer.status, text }).toMatchObject({ status: 200 });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const tokens = JSON.parse(text) as TokenBody;
    expect(Object.keys(tokens).sort()).toEqual(['CSRF_token', 'access_token', 'expires', 'user']);
    expect(tokens.user).toMatchObject({ username: 'ceremony' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ amr: ['hwk', 'user'] });
    expect(
      setCookies(answer)
        .map((c) => c.name)
        .sort(),
    ).toEqual([CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE, 'device'].sort());
    const refreshed = await browser.post(PATHS.refresh, { CSRF_token: tokens.CSRF_token });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(((await refreshed.json()) as TokenBody).access_token).amr).toEqual([
      'hwk',
      'user',
    ]);
    // The same response again: its challenge is used. No cookie is set.
    const replay = await new HttpClient(kit.url).post(PASSKEYS.signIn, { response });
    expect(setCookies(replay)).toEqual([]);
    await expectError(replay, 401, 'authentication_failed');
    // Last use is listed now.
    const after = await client.request('GET', PASSKEYS.list, {
      headers: bearer(body.access_token),
    });
    const [listed] = ((await after.json()) as { passkeys: { last_used: string | null }[] })
      .passkeys;
    expect(listed!.last_used).not.toBeNull();
  });

  it('applies the sign-in cross-site rules to the passkey sign-in endpoints', async (context) => {
    skipWithoutPostgres(context, kit);
    const { authenticator } = await withPasskey('cross-site');
    const client = new HttpClient(kit.url);
    const crossSite: Record<string, string>[] = [
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      await expectError(await client.post(PASSKEYS.signInOptions, {}, headers), 403, 'csrf_failed');
      const { response } = await assertion(client, authenticator);
      await expectError(
        await client.post(PASSKEYS.signIn, { response }, headers),
        403,
        'csrf_failed',
      );
    }
    // The app's own origin is fine.
    const { response } = await assertion(client, authenticator);
    const ok = await client.post(
      PASSKEYS.signIn,
      { response },
      { Origin: origin, 'Sec-Fetch-Site': 'same-origin' },
    );
    expect(ok.status).toBe(200);
  });

  it('answers bad input with clear 4xx answers, never a 500', async (context) => {
    skipWithoutPostgres(context, kit);
    const { client, access } = await withPasskey('bad-input');
    for (const body of [{}, { response: 'text' }, { response: [1, 2] }, { response: null }])
      await expectError(await client.post(PASSKEYS.signIn, body), 400, 'invalid_request', {
        fieldErrors: true,
      });
    for (const response of [
      {},
      { id: 'abc', response: { clientDataJSON: 'e30' } },
      { id: '\u0000', response: { clientDataJSON: 'e30' } },
      { id: 'abc', type: 'public-key', response: { clientDataJSON: 5, signature: [] } },
    ])
      await expectError(
        await client.post(PASSKEYS.signIn, { response }),
        401,
        'authentication_failed',
      );
    await expectError(await client.request('GET', PASSKEYS.signIn), 405, 'method_not_allowed');
    await expectError(await client.post(PASSKEYS.signInOptions, [1]), 400, 'invalid_request', {
      fieldErrors: true,
    });
    // Registration and management need a Bearer token.
    for (const [path, body] of [
      [PASSKEYS.registerOptions, {}],
      [PASSKEYS.register, { response: {} }],
      [PASSKEYS.delete, { id: 'abc' }],
    ] as const)
      await expectError(await client.post(path, body), 401, 'token_not_valid');
    await expectError(await client.request('GET', PASSKEYS.list), 401, 'token_not_valid');
    const registerBad = await client.post(
      PASSKEYS.register,
      { response: { id: 'abc' } },
      bearer(access),
    );
    expect(
      (await expectError(registerBad, 400, 'invalid_request', { fieldErrors: true })).errors
        ?.response,
    ).toBeDefined();
    await expectError(
      await client.post(PASSKEYS.register, { response: {}, name: 'x'.repeat(101) }, bearer(access)),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    for (const id of ['', 'a b', 'ü', 5])
      await expectError(
        await client.post(PASSKEYS.delete, { id }, bearer(access)),
        400,
        'invalid_request',
        {
          fieldErrors: true,
        },
      );
  });

  it("deletes only the caller's own passkeys; a deleted passkey signs in no more", async (context) => {
    skipWithoutPostgres(context, kit);
    const owner = await withPasskey('owner');
    const stranger = await withPasskey('stranger');
    await expectError(
      await stranger.client.post(
        PASSKEYS.delete,
        { id: owner.passkey.id },
        bearer(stranger.access),
      ),
      404,
      'not_found',
    );
    const deleted = await owner.client.post(
      PASSKEYS.delete,
      { id: owner.passkey.id },
      bearer(owner.access),
    );
    expect(deleted.status).toBe(200);
    const list = await owner.client.request('GET', PASSKEYS.list, {
      headers: bearer(owner.access),
    });
    expect(await list.json()).toEqual({ passkeys: [] });
    const browser = new HttpClient(kit.url);
    const { response } = await assertion(browser, owner.authenticator);
    await expectError(
      await browser.post(PASSKEYS.signIn, { response }),
      401,
      'authentication_failed',
    );
    // The stranger's own passkey is untouched.
    const theirs = await assertion(browser, stranger.authenticator);
    expect((await browser.post(PASSKEYS.signIn, { response: theirs.response })).status).toBe(200);
  });

  it('re-authenticates with a passkey: a password session becomes multi-factor', async (context) => {
    skipWithoutPostgres(context, kit);
    const { client, access, authenticator } = await withPasskey('reauth');
    const { response } = await assertion(client, authenticator);
    const answer = await client.post(PASSKEYS.reauthenticate, { response }, bearer(access));
    const text = await answer.text();
    expect({ status: answer.status, text }).toMatchObject({ status: 200 });
    const tokens = JSON.parse(text) as TokenBody;
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sid: decodeJwt(access).sid,
      amr: ['pwd', 'hwk', 'user', 'mfa'],
    });
    // The response is used up: again, 400 with errors.response.
    const again = await client.post(PASSKEYS.reauthenticate, { response }, bearer(access));
    expect(
      (await expectError(again, 400, 'invalid_request', { fieldErrors: true })).errors?.response,
    ).toBeDefined();
  });
});
