import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../../support/assertions';
import { skipWithoutPostgres } from '../../support/databases';
import { HttpClient } from '../../support/http-client';
import { type KitServer } from '../../support/kit-servers';
import { waitForEvents } from '../../support/logged-events';
import { freePort } from '../../support/next-server';
import { signIn, startWarmKit } from '../../support/requests';

// The section 8 endpoints' wire rules that need no mail read back: paths, methods, the error
// shape for bad input, cross-site refusals, Bearer refusals, the sign-up switch, the per-address
// throttle, and a mail server that is down or stalled (the answer is not held; mail.failed).

const APP_URL = 'https://app.example.com';
const PASSWORD = 'violet-harbour-71';

/** Every section 8 endpoint: its path, method, whether it needs a Bearer token, a valid body. */
const ENDPOINTS = [
  {
    path: '/auth/sign-up/',
    bearer: false,
    body: { username: 'shape-a', email: 'shape-a@example.com', password: PASSWORD },
  },
  { path: '/auth/email/verify/', bearer: false, body: { token: 'A'.repeat(43) } },
  { path: '/auth/email/resend/', bearer: false, body: { email: 'shape@example.com' } },
  { path: '/auth/password-reset/', bearer: false, body: { email: 'shape@example.com' } },
  {
    path: '/auth/password-reset/confirm/',
    bearer: false,
    body: { token: 'A'.repeat(43), password: PASSWORD },
  },
  {
    path: '/auth/password/',
    bearer: true,
    body: { current_password: 'x', new_password: PASSWORD },
  },
  {
    path: '/auth/email/change/',
    bearer: true,
    body: { new_email: 'elsewhere@example.com', password: 'x' },
  },
  { path: '/auth/account/delete/', bearer: true, body: { password: 'x' } },
] as const;

describe('the account endpoints on the wire (pglite)', () => {
  let kit: KitServer | null = null;
  let closedPort = 0;
  beforeAll(async () => {
    // No mail server listens there: every send fails at once, and the answers must not care.
    closedPort = await freePort();
    kit = await startWarmKit('pglite', {
      env: {
        AUTH_APP_URL: APP_URL,
        SMTP_URL: `smtp://127.0.0.1:${closedPort}`,
        AUTH_THROTTLE: 'off',
      },
      users: [{ username: 'wire-user', password: PASSWORD, email: 'wire@example.com' }],
    });
  });
  afterAll(async () => kit?.stop());

  it('reaches every endpoint with and without the trailing slash, and answers other methods 405', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    for (const { path } of ENDPOINTS) {
      for (const url of [path, path.slice(0, -1)]) {
        const response = await client.request('PUT', url, { json: {} });
        await expectError(response, 405, 'method_not_allowed');
        expect(response.headers.get('allow')).toBe('POST');
      }
    }
    const account = await client.request('POST', '/auth/account/', { json: {} });
    await expectError(account, 405, 'method_not_allowed');
    expect(account.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers bad input with 400 invalid_request and field errors, never a 500', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const bodies: unknown[] = [
      {},
      [],
      'text',
      null,
      { email: 42, token: [], password: {}, username: true },
      { email: 'not-an-address', username: 'a b', password: '' },
      { email: '\u0000@example.com', username: '\ud800', token: '' },
      { email: `${'a'.repeat(250)}@example.com`, token: 'x'.repeat(600) },
    ];
    for (const { path } of ENDPOINTS.filter((e) => !e.bearer)) {
      for (const body of bodies) {
        const response = await client.post(path, body);
        const answer = await expectError(response, 400, 'invalid_request', {
          fieldErrors: typeof body === 'object' && body !== null && !Array.isArray(body),
        });
        expect(answer.detail).not.toMatch(/internal/i);
      }
    }
    const malformed = await fetch(`${kit.url}/auth/sign-up/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username":',
    });
    await expectError(malformed, 400, 'invalid_request');
    const form = await fetch(`${kit.url}/auth/password-reset/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40example.com',
    });
    await expectError(form, 415, 'unsupported_media_type');
  });

  it('refuses a weak password on sign-up with errors.password in words', async (context) => {
    skipWithoutPostgres(context, kit);
    const response = await new HttpClient(kit.url).post('/auth/sign-up/', {
      username: 'weakling',
      email: 'weakling@example.com',
      password: '12345678',
    });
    const body = await expectError(response, 400, 'invalid_request', { fieldErrors: true });
    expect(body.errors).toEqual({
      password: ['This password is too common.', 'This password is entirely numeric.'],
    });
  });

  it('refuses cross-site POSTs to every endpoint with 403 csrf_failed, changing nothing', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    for (const headers of <Record<string, string>[]>[
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      for (const { path, body } of ENDPOINTS) {
        const response = await client.post(path, body, headers);
        await expectError(response, 403, 'csrf_failed');
      }
    }
    // The sign-up refused above made no account.
    const again = await client.post('/auth/sign-up/', {
      username: 'shape-a',
      email: 'other@example.com',
      password: PASSWORD,
    });
    expect(again.status).toBe(202);
  });

  it('accepts a same-origin POST from the browser (Origin is the app itself)', async (context) => {
    skipWithoutPostgres(context, kit);
    const response = await new HttpClient(kit.url).post(
      '/auth/password-reset/',
      { email: 'wire@example.com' },
      { Origin: kit.url, 'Sec-Fetch-Site': 'same-origin' },
    );
    expect(response.status).toBe(202);
  });

  it('answers the Bearer endpoints without a token 401 with WWW-Authenticate', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    for (const { path, body } of ENDPOINTS.filter((e) => e.bearer)) {
      const response = await client.post(path, body);
      await expectError(response, 401, 'token_not_valid');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const account = await fetch(`${kit.url}/auth/account/`, {
      headers: { Authorization: 'Bearer not.a.token' },
    });
    await expectError(account, 401, 'token_not_valid');
  });

  it('answers an unknown link 400 invalid_token', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    await expectError(
      await client.post('/auth/email/verify/', { token: 'A'.repeat(43) }),
      400,
      'invalid_token',
    );
    await expectError(
      await client.post('/auth/password-reset/confirm/', {
        token: 'B'.repeat(43),
        password: PASSWORD,
      }),
      400,
      'invalid_token',
    );
  });

  it('keeps the sign-up when the mail server is down: 202 at once, mail.failed logged', async (context) => {
    skipWithoutPostgres(context, kit);
    const started = performance.now();
    const response = await new HttpClient(kit.url).post('/auth/sign-up/', {
      username: 'mailless',
      email: 'mailless@example.com',
      password: PASSWORD,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/inbox/) });
    expect(performance.now() - started).toBeLessThan(3000);
    const events = await waitForEvents(
      () => kit!.output(),
      (all) => all.some((e) => e.event.type === 'mail.failed'),
      10_000,
    );
    const failed = events.find((e) => e.event.type === 'mail.failed');
    expect(failed?.event).toMatchObject({ reason: 'smtp_error', mail: 'verify_email' });
    expect(kit.output()).not.toContain('#token=');
    // The account stands: it exists (its username is taken) and holds at sign-in until verified.
    const taken = await new HttpClient(kit.url).post('/auth/sign-up/', {
      username: 'mailless',
      email: 'mailless2@example.com',
      password: PASSWORD,
    });
    const body = await expectError(taken, 400, 'invalid_request', { fieldErrors: true });
    expect(Object.keys(body.errors!)).toEqual(['username']);
    const held = await new HttpClient(kit.url).post('/auth/sign-in/', {
      username: 'mailless',
      password: PASSWORD,
    });
    await expectError(held, 403, 'email_not_verified');
    const wrong = await new HttpClient(kit.url).post('/auth/sign-in/', {
      username: 'mailless',
      password: 'not-the-password',
    });
    await expectError(wrong, 401, 'authentication_failed');
  });

  it('reads the account of a signed-in user with a Bearer token', async (context) => {
    skipWithoutPostgres(context, kit);
    const { body } = await signIn(new HttpClient(kit.url), 'wire-user', PASSWORD);
    const response = await fetch(`${kit.url}/auth/account/`, {
      headers: { Authorization: `Bearer ${body.access_token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      user: expect.objectContaining({ username: 'wire-user', email: 'wire@example.com' }),
      email_verified: false,
      has_password: true,
      identities: [],
      mfa: { totp: false, passkeys: 0, recovery_codes_left: 0 },
    });
  });
});

describe('a stalled mail server and the switches (pglite)', () => {
  let kit: KitServer | null = null;
  let stalled: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never says a word: nodemailer waits for the greeting.
    stalled = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const { port } = stalled.address() as { port: number };
    kit = await startWarmKit('pglite', {
      env: {
        AUTH_APP_URL: APP_URL,
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        MAIL_TIMEOUT: '2s',
        AUTH_SIGN_UP: 'false',
        AUTH_CLIENT_ADDRESS_HEADER: 'x-client-address',
        AUTH_THROTTLE: 'address=3/900,username=5/900',
      },
      users: [{ username: 'stall-user', password: PASSWORD, email: 'stall@example.com' }],
    });
  });
  afterAll(async () => {
    await kit?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => stalled.close(resolve));
  });

  it('answers a reset request at once although the mail server stalls, and logs mail.failed after MAIL_TIMEOUT', async (context) => {
    skipWithoutPostgres(context, kit);
    const started = performance.now();
    const response = await new HttpClient(kit.url).post(
      '/auth/password-reset/',
      { email: 'stall@example.com' },
      { 'X-Client-Address': '192.0.2.1' },
    );
    expect(response.status).toBe(202);
    expect(performance.now() - started).toBeLessThan(2000);
    const events = await waitForEvents(
      () => kit!.output(),
      (all) => all.some((e) => e.event.type === 'mail.failed'),
      10_000,
    );
    expect(events.find((e) => e.event.type === 'mail.failed')?.event).toMatchObject({
      reason: 'timeout',
      mail: 'password_reset',
    });
  });

  it('is not found at /auth/sign-up/ while sign-up is off, whatever the method or body', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    for (const [method, body] of [
      ['POST', { username: 'x', email: 'x@example.com', password: PASSWORD }],
      ['POST', { nonsense: true }],
      ['GET', undefined],
    ] as const) {
      const response = await client.request(method, '/auth/sign-up/', { json: body });
      await expectError(response, 404, 'not_found');
    }
  });

  it('throttles one client address: 429 with Retry-After past the limit, another address still served', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const from = (address: string) => ({ 'X-Client-Address': address });
    for (let i = 0; i < 3; i++) {
      const response = await client.post(
        '/auth/email/resend/',
        { email: `n${i}@example.com` },
        from('192.0.2.50'),
      );
      expect(response.status).toBe(202);
    }
    const held = await client.post(
      '/auth/email/resend/',
      { email: 'n@example.com' },
      from('192.0.2.50'),
    );
    await expectError(held, 429, 'throttled');
    const retryAfter = Number(held.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    const other = await client.post(
      '/auth/email/resend/',
      { email: 'n@example.com' },
      from('192.0.2.51'),
    );
    expect(other.status).toBe(202);
  });
});
