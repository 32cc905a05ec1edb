import { beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS } from '../../support/kit-servers';
import { expectError, expectNoStackTrace } from '../../support/assertions';
import { rawConnection, rawJsonPost } from '../../support/raw-http';
import { cloneClient, PATHS, refresh, signIn, type TokenBody } from '../../support/requests';
import { useKit, usersWithPassword } from '../../support/kit-suite';

const PASSWORD = 'correct-horse-battery';
const TRUSTED_ORIGIN = 'https://trusted.example';
const LIMIT = 16 * 1024;

/** The contract's error table (docs/contract.md section 2) for the token endpoints, row by row. */
describe.each(HTTP_BACKENDS)('error answers over next start on %s', (backend) => {
  const started = useKit(backend, {
    env: { AUTH_TRUSTED_ORIGINS: TRUSTED_ORIGIN, AUTH_THROTTLE: 'username=5/900,address=30/900' },
    users: usersWithPassword(PASSWORD, [
      'victim',
      'origin-user',
      'throttled-user',
      'bystander',
      'charset-user',
      'burst-user',
    ]),
  });
  // A signed-in browser whose cookies ride along on the cross-site and CSRF rows.
  let victim: HttpClient;
  let victimBody: TokenBody;
  beforeAll(async () => {
    if (!started.current) return;
    victim = new HttpClient(started.current.url);
    victimBody = (await signIn(victim, 'victim', PASSWORD)).body;
  });

  /** Sends raw bytes with a content type (or none) to a path. */
  function raw(
    path: string,
    body: BodyInit | undefined,
    contentType: string | null,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${started.current!.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...headers },
      body,
    });
  }

  describe('400 invalid_request', () => {
    const malformed: [string, string, string][] = [
      ['sign-in with truncated JSON', PATHS.signIn, '{"username": "a", "password": '],
      ['sign-in with a trailing comma', PATHS.signIn, '{"username": "a", "password": "b",}'],
      ['sign-in with single quotes', PATHS.signIn, "{'username': 'a'}"],
      ['verify with a bare word', PATHS.verify, 'token'],
      ['refresh with truncated JSON', PATHS.refresh, '{"CSRF_token": '],
      ['log-off with truncated JSON', PATHS.logoff, '{'],
    ];
    it.for(malformed)('answers malformed JSON (%s) with 400', async ([, path, text], context) => {
      started(context);
      await expectError(await raw(path, text, 'application/json'), 400, 'invalid_request');
    });

    it('answers a body that is not UTF-8 with 400', async (context) => {
      started(context);
      const bytes = new Uint8Array([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      await expectError(await raw(PATHS.signIn, bytes, 'application/json'), 400, 'invalid_request');
    });

    const notObjects: [string, string][] = [
      ['a JSON array', '[]'],
      ['a JSON array of credentials', '[{"username":"a","password":"b"}]'],
      ['a JSON number', '42'],
      ['a JSON string', '"username"'],
      ['JSON null', 'null'],
      ['JSON true', 'true'],
    ];
    it.for(notObjects)('answers sign-in with %s for a body with 400', async ([, text], context) => {
      started(context);
      await expectError(await raw(PATHS.signIn, text, 'application/json'), 400, 'invalid_request', {
        fieldErrors: true,
      });
    });

    it.for([
      ['verify', PATHS.verify, '[1]'],
      ['refresh', PATHS.refresh, '[1]'],
      ['log-off', PATHS.logoff, '7'],
      ['session revoke', PATHS.revoke, '"x"'],
    ])('answers %s with a non-object JSON body with 400', async ([, path, text], context) => {
      started(context);
      await expectError(await raw(path!, text!, 'application/json'), 400, 'invalid_request', {
        fieldErrors: true,
      });
    });

    const fieldCases: [string, string, unknown, string[]][] = [
      ['sign-in with both fields missing', PATHS.signIn, {}, ['password', 'username']],
      ['sign-in without a password', PATHS.signIn, { username: 'someone' }, ['password']],
      ['sign-in without a username', PATHS.signIn, { password: 'something' }, ['username']],
      [
        'sign-in with an empty username',
        PATHS.signIn,
        { username: '', password: 'something' },
        ['username'],
      ],
      [
        'sign-in with an empty password',
        PATHS.signIn,
        { username: 'someone', password: '' },
        ['password'],
      ],
      [
        'sign-in with a numeric username',
        PATHS.signIn,
        { username: 42, password: 'something' },
        ['username'],
      ],
      [
        'sign-in with an array password',
        PATHS.signIn,
        { username: 'someone', password: ['x'] },
        ['password'],
      ],
      [
        'sign-in with an object username and a null password',
        PATHS.signIn,
        { username: { $ne: '' }, password: null },
        ['password', 'username'],
      ],
      [
        'sign-in with a boolean password',
        PATHS.signIn,
        { username: 'someone', password: true },
        ['password'],
      ],
      ['verify without a token', PATHS.verify, {}, ['token']],
      ['verify with an empty token', PATHS.verify, { token: '' }, ['token']],
      ['verify with a numeric token', PATHS.verify, { token: 123 }, ['token']],
      ['refresh with a numeric CSRF_token', PATHS.refresh, { CSRF_token: 5 }, ['CSRF_token']],
      ['log-off with an object CSRF_token', PATHS.logoff, { CSRF_token: {} }, ['CSRF_token']],
      ['session revoke without a sid', PATHS.revoke, {}, ['sid']],
      [
        'session revoke with a sid that is not a session id',
        PATHS.revoke,
        { sid: 'not-a-uuid' },
        ['sid'],
      ],
    ];
    it.for(fieldCases)(
      'answers %s with 400 and field errors',
      async ([, path, json, fields], context) => {
        const kit = started(context);
        const body = await expectError(
          await new HttpClient(kit.url).post(path, json),
          400,
          'invalid_request',
          { fieldErrors: true },
        );
        expect(Object.keys(body.errors ?? {}).sort()).toEqual(fields);
      },
    );

    it('answers sign-in with an empty JSON body as missing fields (400)', async (context) => {
      started(context);
      await expectError(await raw(PATHS.signIn, '', 'application/json'), 400, 'invalid_request', {
        fieldErrors: true,
      });
    });
  });

  describe('415 unsupported_media_type', () => {
    const cases: [string, string, string, string | null][] = [
      [
        'sign-in with a text/plain JSON body',
        PATHS.signIn,
        '{"username":"victim","password":"correct-horse-battery"}',
        'text/plain',
      ],
      [
        'sign-in with a form-encoded body',
        PATHS.signIn,
        'username=victim&password=correct-horse-battery',
        'application/x-www-form-urlencoded',
      ],
      [
        'sign-in with a multipart-looking body',
        PATHS.signIn,
        '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nvictim\r\n--x--',
        'multipart/form-data; boundary=x',
      ],
      [
        'sign-in with a body and no content type',
        PATHS.signIn,
        '{"username":"victim","password":"correct-horse-battery"}',
        null,
      ],
      ['refresh with a text/plain body and no cookie', PATHS.refresh, '{}', 'text/plain'],
      [
        'log-off with a form-encoded body',
        PATHS.logoff,
        'CSRF_token=x',
        'application/x-www-form-urlencoded',
      ],
      ['verify with a text/plain body', PATHS.verify, '{"token":"x"}', 'text/plain'],
      ['log-off-all with a text/plain body', PATHS.logoffAll, '{}', 'text/plain'],
      ['session revoke with a text/plain body', PATHS.revoke, '{"sid":"x"}', 'text/plain'],
    ];
    it.for(cases)('answers %s with 415', async ([, path, text, contentType], context) => {
      started(context);
      const response = await raw(path, text, contentType);
      await expectError(response, 415, 'unsupported_media_type');
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('accepts application/json with a charset parameter', async (context) => {
      started(context);
      const response = await raw(
        PATHS.signIn,
        JSON.stringify({ username: 'charset-user', password: PASSWORD }),
        'application/json; charset=utf-8',
      );
      expect(response.status).toBe(200);
    });
  });

  describe('413 payload_too_large', () => {
    const padded = (bytes: number) => {
      const base = JSON.stringify({ username: 'nobody-large', password: 'whatever-1', pad: '' });
      return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
    };

    it.for([
      ['sign-in', PATHS.signIn],
      ['refresh', PATHS.refresh],
      ['log-off', PATHS.logoff],
      ['verify', PATHS.verify],
    ])('answers %s with a body over 16 KiB with 413', async ([, path], context) => {
      started(context);
      await expectError(
        await raw(path!, padded(LIMIT + 1), 'application/json'),
        413,
        'payload_too_large',
      );
    });

    it('answers a chunked body over 16 KiB (no Content-Length) with 413', async (context) => {
      const kit = started(context);
      const connection = await rawConnection(kit.port);
      try {
        const answer = await connection.send(
          rawJsonPost(kit.port, PATHS.signIn, padded(LIMIT * 4), { chunked: true }),
        );
        expect(answer?.status).toBe(413);
        expect(JSON.parse(answer!.body)).toMatchObject({ code: 'payload_too_large' });
      } finally {
        connection.close();
      }
    });

    it('keeps the connection usable after a chunked 413, or announces Connection: close', async (context) => {
      const kit = started(context);
      const connection = await rawConnection(kit.port);
      try {
        const first = await connection.send(
          rawJsonPost(kit.port, PATHS.signIn, padded(LIMIT * 4), { chunked: true }),
        );
        expect(first?.status).toBe(413);
        if (first!.headers.connection?.toLowerCase() === 'close') return;
        // The answer promised keep-alive: the next request on the connection must be answered.
        const second = await connection.send(
          rawJsonPost(kit.port, PATHS.verify, '{"token":"garbage"}'),
          3000,
        );
        expect({ answered: second !== null, status: second?.status }).toEqual({
          answered: true,
          status: 401,
        });
      } finally {
        connection.close();
      }
    });

    it('reads a body of exactly 16 KiB (the limit is inclusive)', async (context) => {
      started(context);
      const text = padded(LIMIT);
      expect(Buffer.byteLength(text)).toBe(LIMIT);
      await expectError(
        await raw(PATHS.signIn, text, 'application/json'),
        401,
        'authentication_failed',
      );
    });
  });

  describe('401 token_not_valid', () => {
    it.for([
      ['a bare word', 'garbage'],
      ['three dots of nothing', '..'],
      ['a two-part token', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0'],
      ['three base64url parts of junk', 'aaaa.bbbb.cccc'],
      ['a header that is not JSON', `${Buffer.from('not json').toString('base64url')}.e30.sig`],
      ['a very long token', `${'a'.repeat(4000)}.${'b'.repeat(4000)}.c`],
    ])('answers verify with %s with 401', async ([, token], context) => {
      const kit = started(context);
      await expectError(
        await new HttpClient(kit.url).post(PATHS.verify, { token }),
        401,
        'token_not_valid',
      );
    });

    it('answers refresh without a refresh cookie with 401', async (context) => {
      const kit = started(context);
      await expectError(await refresh(new HttpClient(kit.url), 'anything'), 401, 'token_not_valid');
    });

    it.for([
      ['GET /auth/sessions/ without a Bearer token', 'GET', PATHS.sessions, undefined, undefined],
      [
        'GET /auth/sessions/ with a garbage Bearer token',
        'GET',
        PATHS.sessions,
        undefined,
        'Bearer not.a.token',
      ],
      [
        'POST /auth/logoff-all/ without a Bearer token',
        'POST',
        PATHS.logoffAll,
        undefined,
        undefined,
      ],
      [
        'POST /auth/sessions/revoke/ without a Bearer token',
        'POST',
        PATHS.revoke,
        { sid: '00000000-0000-4000-8000-000000000000' },
        undefined,
      ],
      [
        'GET /auth/sessions/ with a Basic authorization',
        'GET',
        PATHS.sessions,
        undefined,
        'Basic dmljdGltOnBhc3N3b3Jk',
      ],
    ] as [string, string, string, unknown, string | undefined][])(
      'answers %s with 401 and WWW-Authenticate: Bearer',
      async ([, method, path, json, authorization], context) => {
        const kit = started(context);
        const response = await new HttpClient(kit.url).request(method, path, {
          json,
          headers: authorization ? { Authorization: authorization } : {},
        });
        expect(response.headers.get('www-authenticate') ?? '').toMatch(/^Bearer\b/);
        await expectError(response, 401, 'token_not_valid');
      },
    );

    it('answers a refresh token used as a Bearer token with 401', async (context) => {
      const kit = started(context);
      const refreshJwt = victim.jar.get('refresh_cookie')!.value.replace(/:[^:]*$/, '');
      const response = await new HttpClient(kit.url).request('GET', PATHS.sessions, {
        headers: { Authorization: `Bearer ${refreshJwt}` },
      });
      await expectError(response, 401, 'token_not_valid');
    });
  });

  describe('403 csrf_failed for cross-site requests', () => {
    const attacks: [string, Record<string, string>][] = [
      ['Origin: https://evil.example', { Origin: 'https://evil.example' }],
      ['Origin: null', { Origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['an Origin on another port of the same host', { Origin: 'http://127.0.0.1:1' }],
      [
        'an Origin that only starts like the trusted one',
        { Origin: `${TRUSTED_ORIGIN}.evil.example` },
      ],
    ];
    const endpoints = [
      ['sign-in', PATHS.signIn],
      ['refresh', PATHS.refresh],
      ['log-off', PATHS.logoff],
      ['log-off-all', PATHS.logoffAll],
    ] as const;
    const rows = endpoints.flatMap(([name, path]) =>
      attacks.map(([attack, headers]) => [`${name} with ${attack}`, path, headers] as const),
    );

    it.for(rows)('refuses %s with 403 and sets no cookie', async ([, path, headers], context) => {
      started(context);
      const client = cloneClient(victim);
      const json =
        path === PATHS.signIn
          ? { username: 'victim', password: PASSWORD }
          : { CSRF_token: victimBody.CSRF_token };
      const response = await client.post(path, json, {
        ...headers,
        Authorization: `Bearer ${victimBody.access_token}`,
      });
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('leaves the session alive after the refused cross-site log-off and log-off-all', async (context) => {
      started(context);
      const response = await refresh(victim, victimBody.CSRF_token);
      expect(response.status).toBe(200);
      victimBody = (await response.json()) as TokenBody;
    });

    it.for([
      ["the app's own Origin", 'own'],
      ['the configured trusted Origin', TRUSTED_ORIGIN],
      ['Sec-Fetch-Site: same-origin', 'sfs'],
    ])('lets sign-in and refresh with %s through', async ([, which], context) => {
      const kit = started(context);
      const headers: Record<string, string> =
        which === 'own'
          ? { Origin: kit.url }
          : which === 'sfs'
            ? { 'Sec-Fetch-Site': 'same-origin' }
            : { Origin: which! };
      const client = new HttpClient(kit.url);
      const signedIn = await client.post(
        PATHS.signIn,
        { username: 'origin-user', password: PASSWORD },
        headers,
      );
      expect(signedIn.status).toBe(200);
      const { CSRF_token } = (await signedIn.json()) as TokenBody;
      expect((await refresh(client, CSRF_token, headers)).status).toBe(200);
    });

    it("lets a log-off with the app's own Origin through", async (context) => {
      const kit = started(context);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'origin-user', PASSWORD);
      const response = await client.post(
        PATHS.logoff,
        { CSRF_token: body.CSRF_token },
        { Origin: kit.url },
      );
      expect(response.status).toBe(200);
    });
  });

  describe('405 method_not_allowed', () => {
    const postEndpoints = [
      PATHS.signIn,
      PATHS.refresh,
      PATHS.logoff,
      PATHS.logoffAll,
      PATHS.verify,
      PATHS.revoke,
    ];
    const rows = postEndpoints.flatMap((path) =>
      ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map(
        (method) => [`${method} ${path}`, method, path] as const,
      ),
    );
    it.for(rows)('answers %s with 405 and Allow: POST', async ([, method, path], context) => {
      const kit = started(context);
      const response = await fetch(`${kit.url}${path}`, { method, redirect: 'manual' });
      expect(response.headers.get('allow')).toBe('POST');
      await expectError(response, 405, 'method_not_allowed');
    });

    it.for([
      ['POST', PATHS.jwks],
      ['PUT', PATHS.jwks],
      ['DELETE', PATHS.jwks],
      ['POST', PATHS.sessions],
      ['DELETE', PATHS.sessions],
    ])('answers %s %s with 405 and an Allow naming GET', async ([method, path], context) => {
      const kit = started(context);
      const response = await fetch(`${kit.url}${path}`, { method, redirect: 'manual' });
      expect((response.headers.get('allow') ?? '').split(/,\s*/)).toContain('GET');
      expect(response.headers.get('allow')).not.toMatch(/POST/);
      await expectError(response, 405, 'method_not_allowed');
    });
  });

  describe('429 throttled', () => {
    it('throttles a username after five failures, even with the right password, with Retry-After', async (context) => {
      const kit = started(context);
      const client = new HttpClient(kit.url);
      for (let i = 0; i < 5; i++) {
        await expectError(
          await client.post(PATHS.signIn, { username: 'throttled-user', password: `wrong-${i}` }),
          401,
          'authentication_failed',
        );
      }
      const response = await client.post(PATHS.signIn, {
        username: 'throttled-user',
        password: PASSWORD,
      });
      const retryAfter = Number(response.headers.get('retry-after'));
      await expectError(response, 429, 'throttled');
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('holds the username limit under a burst of parallel failures (at most five are checked)', async (context) => {
      const kit = started(context);
      const client = new HttpClient(kit.url);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          client.post(PATHS.signIn, { username: 'burst-user', password: `burst-guess-${i}` }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    });

    it('does not throttle another username', async (context) => {
      const kit = started(context);
      expect(
        (
          await new HttpClient(kit.url).post(PATHS.signIn, {
            username: 'bystander',
            password: PASSWORD,
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('the error body', () => {
    it('never carries a stack trace, even for hostile input', async (context) => {
      started(context);
      const hostile = [
        JSON.stringify({ username: 'a\u0000b', password: 'x' }),
        JSON.stringify({ username: 'x'.repeat(151), password: 'x' }),
        JSON.stringify({ username: 'x', password: 'x'.repeat(4097) }),
        JSON.stringify({ username: '__proto__', password: 'x', __proto__: { admin: true } }),
        '{"username": "\\ud800", "password": "x"}',
        '{"username": "a", "password": "b", "username": ["dup"]}',
        '1e999999',
        '{"a":'.repeat(500) + '1' + '}'.repeat(500),
      ];
      for (const text of hostile) {
        const response = await raw(PATHS.signIn, text, 'application/json');
        const body = await response.text();
        expect(response.status, text.slice(0, 60)).toBeLessThan(500);
        expectNoStackTrace(body);
        expect(
          Object.keys(JSON.parse(body) as object)
            .filter((k) => k !== 'errors')
            .sort(),
        ).toEqual(['code', 'detail']);
      }
    });
  });
});

/**
 * The per-address limit, on a server of its own: with AUTH_CLIENT_ADDRESS_HEADER=x-forwarded-for,
 * `next start` fills X-Forwarded-For with the socket address when a client sends none, so every
 * local request would otherwise count against 127.0.0.1.
 */
describe.each(HTTP_BACKENDS)('per-address sign-in throttling over next start on %s', (backend) => {
  const started = useKit(backend, {
    env: {
      AUTH_CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
      AUTH_THROTTLE: 'username=5/900,address=6/900',
    },
    users: usersWithPassword(PASSWORD, ['address-user']),
  });

  it('throttles a client address after its attempt limit, whatever the usernames, with Retry-After', async (context) => {
    const kit = started(context);
    const client = new HttpClient(kit.url, { 'X-Forwarded-For': '203.0.113.7' });
    for (let i = 0; i < 6; i++) {
      await expectError(
        await client.post(PATHS.signIn, {
          username: `address-probe-${i}`,
          password: 'wrong-password',
        }),
        401,
        'authentication_failed',
      );
    }
    const response = await client.post(PATHS.signIn, {
      username: 'address-probe-last',
      password: 'wrong-password',
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    await expectError(response, 429, 'throttled');
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  it('throttles the address for a valid user too', async (context) => {
    const kit = started(context);
    const client = new HttpClient(kit.url, { 'X-Forwarded-For': '203.0.113.7' });
    await expectError(
      await client.post(PATHS.signIn, { username: 'address-user', password: PASSWORD }),
      429,
      'throttled',
    );
  });

  it('keeps throttling the address when the client prepends another X-Forwarded-For entry', async (context) => {
    const kit = started(context);
    const client = new HttpClient(kit.url, { 'X-Forwarded-For': '10.1.2.3, 203.0.113.7' });
    await expectError(
      await client.post(PATHS.signIn, { username: 'address-spoofer', password: 'wrong-password' }),
      429,
      'throttled',
    );
  });

  it('holds the address limit under a burst of parallel attempts', async (context) => {
    const kit = started(context);
    const client = new HttpClient(kit.url, { 'X-Forwarded-For': '203.0.113.99' });
    const responses = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        client.post(PATHS.signIn, { username: `address-burst-${i}`, password: 'wrong-password' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(6);
  });

  it('does not throttle another client address', async (context) => {
    const kit = started(context);
    const client = new HttpClient(kit.url, { 'X-Forwarded-For': '203.0.113.8' });
    expect(
      (await client.post(PATHS.signIn, { username: 'address-user', password: PASSWORD })).status,
    ).toBe(200);
  });
});
