import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../../support/assertions';
import {
  CSRF_COOKIE,
  REFRESH_COOKIE,
  SESSION_COOKIE,
  cookiesByName,
  expectCookiesCleared,
  refreshClaims,
} from '../../support/cookies';
import { skipWithoutPostgres } from '../../support/databases';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import {
  findLink,
  startTestMailCatcher,
  tokenFromLink,
  type TestMailCatcher,
} from '../../support/mail-catcher';
import {
  PATHS,
  cloneClient,
  refresh,
  signIn,
  sleep,
  startWarmKit,
  type TokenBody,
} from '../../support/requests';

// Every row of docs/contract.md section 8 over real HTTP, with the mail read back from a real
// SMTP server (the test's mail catcher): the kit under test mails through SMTP_URL.

const APP_URL = 'https://app.example.com';
const PASSWORD = 'violet-harbour-71';

const A = {
  signUp: '/auth/sign-up/',
  verify: '/auth/email/verify/',
  resend: '/auth/email/resend/',
  reset: '/auth/password-reset/',
  resetConfirm: '/auth/password-reset/confirm/',
  password: '/auth/password/',
  emailChange: '/auth/email/change/',
  account: '/auth/account/',
  accountDelete: '/auth/account/delete/',
} as const;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Asserts the sign-in answer: the body's members and the three auth cookies set. */
async function expectSignInAnswer(response: Response, status = 200): Promise<TokenBody> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = JSON.parse(text) as TokenBody;
  expect(Object.keys(body).sort()).toEqual(['CSRF_token', 'access_token', 'expires', 'user']);
  expect(body.expires).toBe(decodeJwt(body.access_token).exp);
  const cookies = cookiesByName(response);
  for (const name of [REFRESH_COOKIE, CSRF_COOKIE, SESSION_COOKIE])
    expect(cookies[name]?.value, `${name} is set`).toBeTruthy();
  return body;
}

/** The text of an answer and its parsed body, for comparing two answers exactly. */
async function answerOf(response: Response): Promise<{ status: number; body: unknown }> {
  return { status: response.status, body: JSON.parse(await response.text()) };
}

describe.each(HTTP_BACKENDS)('the account flows over HTTP and SMTP on %s', (backend) => {
  let kit: KitServer | null = null;
  let mail: TestMailCatcher;
  beforeAll(async () => {
    mail = await startTestMailCatcher();
    kit = await startWarmKit(backend, {
      env: {
        AUTH_APP_URL: APP_URL,
        SMTP_URL: mail.smtpUrl,
        MAIL_FROM: 'Kit <no-reply@example.com>',
      },
      users: [
        { username: 'owner', password: PASSWORD, email: 'owner@example.com', emailVerified: true },
        { username: 'forgets', password: PASSWORD, email: 'forgets@example.com' },
        {
          username: 'changes',
          password: PASSWORD,
          email: 'changes@example.com',
          emailVerified: true,
        },
        { username: 'moves', password: PASSWORD, email: 'moves@example.com', emailVerified: true },
        {
          username: 'leaves',
          password: PASSWORD,
          email: 'leaves@example.com',
          emailVerified: true,
        },
        { username: 'popular', password: PASSWORD, email: 'popular@example.com' },
      ],
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await mail?.close();
  });

  const post = (path: string, body: unknown, headers?: Record<string, string>) =>
    new HttpClient(kit!.url).post(path, body, headers);

  it('signs up: 202, a verification mail from MAIL_FROM with the link on AUTH_APP_URL; the link signs in', async (context) => {
    skipWithoutPostgres(context, kit);
    const response = await post(A.signUp, {
      username: 'newcomer',
      email: 'Newcomer@example.com',
      password: PASSWORD,
      first_name: 'New',
      last_name: 'Comer',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/inbox/) });
    const message = await mail.waitForMail({ to: 'newcomer@example.com' });
    expect(message.from).toContain('no-reply@example.com');
    const link = findLink(message, '/verify-email');
    expect(link.startsWith(`${APP_URL}/verify-email#token=`)).toBe(true);
    expect(message.text.split('\n').map((line) => line.trim())).toContain(link);
    expect(message.html).toContain(link);
    // Not signed in before the link is used.
    await expectError(
      await post(PATHS.signIn, { username: 'newcomer', password: PASSWORD }),
      403,
      'email_not_verified',
    );
    const client = new HttpClient(kit.url);
    const verified = await client.post(A.verify, { token: tokenFromLink(link) });
    const body = await expectSignInAnswer(verified);
    expect(body.user).toMatchObject({
      username: 'newcomer',
      first_name: 'New',
      last_name: 'Comer',
    });
    const account = await client.request('GET', A.account, { headers: bearer(body.access_token) });
    expect(await account.json()).toMatchObject({ email_verified: true, has_password: true });
    // Used once.
    await expectError(await post(A.verify, { token: tokenFromLink(link) }), 400, 'invalid_token');
    await signIn(new HttpClient(kit.url), 'newcomer', PASSWORD);
  });

  it("ends the browser's earlier session when a verification link signs it in as another user", async (context) => {
    skipWithoutPostgres(context, kit);
    const browser = new HttpClient(kit.url);
    const before = await signIn(browser, 'owner', PASSWORD);
    const oldCookies = cloneClient(browser);
    expect(
      (
        await post(A.signUp, {
          username: 'switcher',
          email: 'switcher@example.com',
          password: PASSWORD,
        })
      ).status,
    ).toBe(202);
    const link = findLink(await mail.waitForMail({ to: 'switcher@example.com' }), '/verify-email');
    const after = await expectSignInAnswer(
      await browser.post(A.verify, { token: tokenFromLink(link) }),
    );
    expect(after.user).toMatchObject({ username: 'switcher' });
    // The old session is over: its refresh cookie (kept aside) no longer refreshes.
    await expectError(await refresh(oldCookies, before.body.CSRF_token), 401, 'token_not_valid');
    // The browser's new session works.
    expect((await refresh(browser, after.CSRF_token)).status).toBe(200);
  });

  it('answers a sign-up with a taken address exactly as a new one, and mails the owner a reset link that works', async (context) => {
    skipWithoutPostgres(context, kit);
    const taken = await answerOf(
      await post(A.signUp, { username: 'copycat', email: 'OWNER@example.com', password: PASSWORD }),
    );
    const fresh = await answerOf(
      await post(A.signUp, {
        username: 'original',
        email: 'original@example.com',
        password: PASSWORD,
      }),
    );
    expect(taken).toEqual(fresh);
    expect(taken.status).toBe(202);
    const message = await mail.waitForMail({ to: 'owner@example.com' });
    expect(message.subject).toMatch(/already have an account/);
    expect(message.links).toContain(`${APP_URL}/login`);
    const token = tokenFromLink(findLink(message, '/reset-password'));
    const done = await post(A.resetConfirm, { token, password: 'owner-new-secret-8' });
    expect(done.status).toBe(200);
    await signIn(new HttpClient(kit.url), 'owner', 'owner-new-secret-8');
    // The copycat got no account, but its username is held as a new account's would be: its
    // password answers as an unverified account's does (403), never a session.
    await expectError(
      await post(PATHS.signIn, { username: 'copycat', password: PASSWORD }),
      403,
      'email_not_verified',
    );
    await expectError(
      await post(PATHS.signIn, { username: 'copycat', password: 'wrong-password-1' }),
      401,
      'authentication_failed',
    );
    // A taken username is a 400 with errors.username.
    const body = await expectError(
      await post(A.signUp, { username: 'Owner', email: 'someone@example.com', password: PASSWORD }),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    expect(Object.keys(body.errors!)).toEqual(['username']);
  });

  it('leaves a username as taken after a sign-up with a taken address as after one with a free address', async (context) => {
    skipWithoutPostgres(context, kit);
    const taken = await answerOf(
      await post(A.signUp, { username: 'probe-t', email: 'owner@example.com', password: PASSWORD }),
    );
    const free = await answerOf(
      await post(A.signUp, {
        username: 'probe-f',
        email: 'probe-f@example.com',
        password: PASSWORD,
      }),
    );
    expect(taken).toEqual(free);
    const probe = async (u: string) => ({
      signUp: await answerOf(
        await post(A.signUp, { username: u, email: `${u}-2@example.com`, password: PASSWORD }),
      ),
      lookalike: await answerOf(
        await post(A.signUp, {
          username: u.toUpperCase(),
          email: `${u}-3@example.com`,
          password: PASSWORD,
        }),
      ),
      rightPassword: await answerOf(await post(PATHS.signIn, { username: u, password: PASSWORD })),
      wrongPassword: await answerOf(
        await post(PATHS.signIn, { username: u, password: 'wrong-password-1' }),
      ),
    });
    const t = await probe('probe-t');
    const f = await probe('probe-f');
    expect(t).toEqual(f);
    expect(f).toMatchObject({
      signUp: { status: 400, body: { errors: { username: [expect.any(String)] } } },
      lookalike: { status: 400 },
      rightPassword: { status: 403, body: { code: 'email_not_verified' } },
      wrongPassword: { status: 401, body: { code: 'authentication_failed' } },
    });
  });

  it('resends: 202 for any address; a new link for an unverified account that supersedes the old one', async (context) => {
    skipWithoutPostgres(context, kit);
    expect(
      (
        await post(A.signUp, {
          username: 'slowpoke',
          email: 'slowpoke@example.com',
          password: PASSWORD,
        })
      ).status,
    ).toBe(202);
    const first = tokenFromLink(
      findLink(await mail.waitForMail({ to: 'slowpoke@example.com' }), '/verify-email'),
    );
    const existing = await answerOf(await post(A.resend, { email: 'slowpoke@example.com' }));
    const missing = await answerOf(await post(A.resend, { email: 'nobody-at-all@example.com' }));
    expect(existing).toEqual(missing);
    expect(existing.status).toBe(202);
    const second = tokenFromLink(
      findLink(await mail.waitForMail({ to: 'slowpoke@example.com' }), '/verify-email'),
    );
    expect(second).not.toBe(first);
    await expectError(await post(A.verify, { token: first }), 400, 'invalid_token');
    await expectSignInAnswer(await post(A.verify, { token: second }));
  });

  it('resets a password: 202 for any address; a weak password keeps the link; the reset ends every session', async (context) => {
    skipWithoutPostgres(context, kit);
    const before = new HttpClient(kit.url);
    const { body: signedIn } = await signIn(before, 'forgets', PASSWORD);
    const existing = await answerOf(await post(A.reset, { email: 'FORGETS@example.com' }));
    const missing = await answerOf(await post(A.reset, { email: 'forgets-not@example.com' }));
    expect(existing).toEqual(missing);
    expect(existing.status).toBe(202);
    const message = await mail.waitForMail({ to: 'forgets@example.com' });
    const link = findLink(message, '/reset-password');
    expect(link.startsWith(`${APP_URL}/reset-password#token=`)).toBe(true);
    const token = tokenFromLink(link);
    const weak = await expectError(
      await post(A.resetConfirm, { token, password: 'forgets123' }),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    expect(weak.errors).toEqual({ password: ['This password is too similar to your username.'] });
    const done = await post(A.resetConfirm, { token, password: 'forgot-no-more-3' });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ detail: expect.stringMatching(/signed out everywhere/) });
    await expectError(
      await post(A.resetConfirm, { token, password: 'forgot-no-more-4' }),
      400,
      'invalid_token',
    );
    await expectError(await refresh(before, signedIn.CSRF_token), 401, 'token_not_valid');
    await expectError(
      await post(PATHS.signIn, { username: 'forgets', password: PASSWORD }),
      401,
      'authentication_failed',
    );
    const account = await signIn(new HttpClient(kit.url), 'forgets', 'forgot-no-more-3');
    const view = await fetch(`${kit.url}${A.account}`, {
      headers: bearer(account.body.access_token),
    });
    // The link reached the address: it counts as verified now.
    expect(await view.json()).toMatchObject({ email_verified: true });
  });

  it('builds links from AUTH_APP_URL only, whatever Host or X-Forwarded-Host say', async (context) => {
    skipWithoutPostgres(context, kit);
    const response = await post(
      A.reset,
      { email: 'changes@example.com' },
      { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' },
    );
    expect(response.status).toBe(202);
    const message = await mail.waitForMail({ to: 'changes@example.com' });
    expect(message.links.length).toBeGreaterThan(0);
    for (const link of message.links) expect(new URL(link).origin).toBe(APP_URL);
    expect(`${message.text}${message.html}`).not.toContain('evil.example');
  });

  it('changes the password: the sign-in answer for the same session, every other session ended', async (context) => {
    skipWithoutPostgres(context, kit);
    const other = new HttpClient(kit.url);
    const { body: otherBody } = await signIn(other, 'changes', PASSWORD);
    const here = new HttpClient(kit.url);
    const { body } = await signIn(here, 'changes', PASSWORD);
    const sid = refreshClaims(here).sid;
    const wrong = await expectError(
      await here.post(
        A.password,
        { current_password: 'not-it-at-all', new_password: 'changed-secret-77' },
        bearer(body.access_token),
      ),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    expect(Object.keys(wrong.errors!)).toEqual(['current_password']);
    const weak = await expectError(
      await here.post(
        A.password,
        { current_password: PASSWORD, new_password: 'password' },
        bearer(body.access_token),
      ),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    expect(Object.keys(weak.errors!)).toEqual(['new_password']);
    const changed = await here.post(
      A.password,
      { current_password: PASSWORD, new_password: 'changed-secret-77' },
      bearer(body.access_token),
    );
    const answer = await expectSignInAnswer(changed);
    expect(answer.access_token).not.toBe(body.access_token);
    expect(decodeJwt(answer.access_token).sid).toBe(sid);
    expect(refreshClaims(here).sid).toBe(sid);
    expect((await refresh(here, answer.CSRF_token)).status).toBe(200);
    await expectError(await refresh(other, otherBody.CSRF_token), 401, 'token_not_valid');
    await signIn(new HttpClient(kit.url), 'changes', 'changed-secret-77');
  });

  it('changes the address only when the link mailed to the new one is used; the old one gets a notice', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, 'moves', PASSWORD);
    const wrong = await expectError(
      await client.post(
        A.emailChange,
        { new_email: 'moved@example.org', password: 'not-it-at-all' },
        bearer(body.access_token),
      ),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    expect(Object.keys(wrong.errors!)).toEqual(['password']);
    const requested = await client.post(
      A.emailChange,
      { new_email: 'moved@example.org', password: PASSWORD },
      bearer(body.access_token),
    );
    expect(requested.status).toBe(202);
    const confirm = await mail.waitForMail({ to: 'moved@example.org' });
    const notice = await mail.waitForMail({ to: 'moves@example.com' });
    expect(notice.text).toContain('moved@example.org');
    const read = async (token: string) =>
      (await (await fetch(`${kit!.url}${A.account}`, { headers: bearer(token) })).json()) as {
        user: { email: string };
        email_verified: boolean;
      };
    expect((await read(body.access_token)).user.email).toBe('moves@example.com');
    const link = findLink(confirm, '/verify-email');
    const verified = await expectSignInAnswer(await post(A.verify, { token: tokenFromLink(link) }));
    expect(await read(verified.access_token)).toMatchObject({
      user: { email: 'moved@example.org' },
      email_verified: true,
    });
  });

  it('deletes the account: the password first, then everything, the cookies cleared', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, 'leaves', PASSWORD);
    const other = new HttpClient(kit.url);
    const { body: otherBody } = await signIn(other, 'leaves', PASSWORD);
    const wrong = await expectError(
      await client.post(A.accountDelete, { password: 'not-it-at-all' }, bearer(body.access_token)),
      400,
      'invalid_request',
      { fieldErrors: true },
    );
    expect(Object.keys(wrong.errors!)).toEqual(['password']);
    const deleted = await client.post(
      A.accountDelete,
      { password: PASSWORD },
      bearer(body.access_token),
    );
    expect(deleted.status).toBe(200);
    expectCookiesCleared(deleted);
    await expectError(await refresh(other, otherBody.CSRF_token), 401, 'token_not_valid');
    await expectError(
      await post(PATHS.signIn, { username: 'leaves', password: PASSWORD }),
      401,
      'authentication_failed',
    );
    const gone = await fetch(`${kit.url}${A.account}`, { headers: bearer(body.access_token) });
    await expectError(gone, 401, 'token_not_valid');
  });

  it('mails one address at most 5 times an hour; the sixth request is answered the same and sends nothing', async (context) => {
    skipWithoutPostgres(context, kit);
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await answerOf(await post(A.reset, { email: 'popular@example.com' })));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    for (let i = 0; i < 5; i++) await mail.waitForMail({ to: 'popular@example.com' });
    await sleep(2000);
    expect(mail.messages().filter((m) => m.to.includes('popular@example.com'))).toHaveLength(5);
    expect(kit.output()).toMatch(/mail not sent: too many mails/);
  });
});
