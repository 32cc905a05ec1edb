import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ARTIFACTS_DIR, describeInBrowser, screenshot } from '../support/browser';
import {
  expectDashboardFor,
  journey,
  nextAuthResponse,
  submitPasswordForm,
  useAppAndBrowser,
} from './steps';

const TARA = { username: 'tara', password: 'tara-password-123', email: 'tara@example.com' };
const PERIOD_MS = 30_000;
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * The codes an authenticator app would show, computed here with otplib (RFC 6238: SHA-1, six
 * digits, 30 s), independently of the kit's own TOTP module. The server accepts a code once and
 * one step either side of its clock, so each code this journey types is of a step after the last
 * one used: the current step when it is new, else the next one (which the server also accepts).
 */
class Authenticator {
  private lastStep = -1;
  constructor(readonly secret: string) {}

  private codeOf(step: number): string {
    return generateSync({
      secret: this.secret,
      epoch: step * 30,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
    });
  }

  /** A code the server has not seen used, marked used. Waits for a new step when both are spent. */
  async nextCode(): Promise<string> {
    let now = Math.floor(Date.now() / PERIOD_MS);
    // A step near its end may be over by the time the request arrives: leave it a second.
    if (Date.now() % PERIOD_MS > PERIOD_MS - 1_000) now += 1;
    let step = Math.max(now, this.lastStep + 1);
    if (step > now + 1) {
      await new Promise((resolve) =>
        setTimeout(resolve, (step - 1) * PERIOD_MS - Date.now() + 500),
      );
      step = Math.max(Math.floor(Date.now() / PERIOD_MS), this.lastStep + 1);
    }
    this.lastStep = step;
    return this.codeOf(step);
  }

  /** Six digits that are none of the codes the server would accept now. */
  wrongCode(): string {
    const now = Math.floor(Date.now() / PERIOD_MS);
    const valid = new Set([now - 1, now, now + 1, now + 2].map((step) => this.codeOf(step)));
    for (let n = 0; ; n += 1) {
      const candidate = String(123_456 + n * 7_919).slice(-6);
      if (!valid.has(candidate)) return candidate;
    }
  }
}

describeInBrowser('two-step verification with an authenticator app in Chromium', () => {
  const e2e = useAppAndBrowser({ users: [TARA] });

  async function signInWithPassword(page: Page, path = '/login') {
    await page.goto(`${e2e.app.url}${path}`);
    const answer = await submitPasswordForm(page, TARA.username, TARA.password);
    expect(answer.status()).toBe(200);
    return answer;
  }

  /** The code step of the login page, after the password. */
  async function expectCodeStep(page: Page) {
    const step = page.getByTestId('second-factor-step');
    await step.waitFor();
    const input = page.getByLabel('Authentication code');
    expect(await input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await input.getAttribute('inputmode')).toBe('numeric');
    return input;
  }

  async function submitCode(page: Page, label: string, code: string) {
    await page.getByLabel(label).fill(code);
    const answer = nextAuthResponse(page, '/auth/mfa/verify/');
    await page.getByRole('button', { name: 'Verify' }).click();
    return answer;
  }

  /** The access token's `amr`, through the dashboard's protected API call (/api/me). */
  async function amrOnDashboard(page: Page): Promise<string[]> {
    await expectDashboardFor(page, TARA.username);
    await page.getByTestId('developer-panel').getByText('Developer panel').click();
    await page.getByRole('button', { name: 'Call protected API' }).click();
    const answer = page.getByTestId('api-answer');
    await answer.waitFor();
    const text = (await answer.textContent()) ?? '';
    expect(text.startsWith('200 ')).toBe(true);
    return (JSON.parse(text.slice(4)) as { claims: { amr: string[] } }).claims.amr;
  }

  async function signOut(page: Page) {
    const logoff = nextAuthResponse(page, '/auth/logoff/');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    expect((await logoff).status()).toBe(200);
    await page.waitForURL((url) => url.pathname === '/login', { waitUntil: 'commit' });
  }

  async function openSecurity(page: Page) {
    await page.goto(`${e2e.app.url}/account#security`);
    await page.getByTestId('totp-status').waitFor();
    return page.getByTestId('totp-card');
  }

  it('turns on the authenticator app, signs in with a code and with a recovery code, refuses a wrong code, turns it off', async () => {
    await journey(e2e, 'totp-1-journey', async (page) => {
      // Signed in with the password: the account page's authenticator app is off.
      await signInWithPassword(page, '/login?next=/account');
      await page.getByTestId('account-username').waitFor();
      let card = await openSecurity(page);
      expect(await page.getByTestId('totp-status').textContent()).toBe('Off');

      // Turn on: the password first, then the QR code (an <img> of the server's SVG) and the key.
      await card.getByRole('button', { name: 'Turn on' }).click();
      await card.getByLabel('Your password').fill(TARA.password);
      const setup = nextAuthResponse(page, '/auth/mfa/totp/setup/');
      await card.getByRole('button', { name: 'Continue' }).click();
      expect((await setup).status()).toBe(200);
      const qr = page.getByTestId('totp-qr');
      await qr.waitFor();
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
      expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      expect(await qr.getAttribute('alt')).toMatch(/QR code/);
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(
        /\s+/g,
        '',
      );
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const app = new Authenticator(secret);
      await card.screenshot({ path: join(ARTIFACTS_DIR, 'totp-2-qr-step.png') });

      // Confirm with the app's code: the ten recovery codes are shown, once, and can be downloaded.
      await card.getByLabel('Code from the app').fill(await app.nextCode());
      const confirm = nextAuthResponse(page, '/auth/mfa/totp/confirm/');
      await card.getByRole('button', { name: 'Turn on' }).click();
      expect((await confirm).status()).toBe(200);
      await page.getByTestId('recovery-codes').waitFor();
      const codes = await page.getByTestId('recovery-code').allTextContents();
      expect(codes).toHaveLength(10);
      for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
      expect(new Set(codes).size).toBe(10);
      const download = page.waitForEvent('download');
      await card.getByRole('button', { name: 'Download .txt' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('recovery-codes.txt');
      const text = readFileSync((await file.path())!, 'utf8');
      for (const code of codes) expect(text).toContain(code);
      await card.screenshot({ path: join(ARTIFACTS_DIR, 'totp-3-recovery-codes.png') });
      await card.getByRole('button', { name: 'I have saved them' }).click();
      expect(await page.getByTestId('totp-status').textContent()).toBe('On');
      expect(await page.getByTestId('recovery-codes-left').textContent()).toBe('10 of 10 left');

      // Signed out, the password alone no longer signs in: the code step follows.
      await page.goto(`${e2e.app.url}/dashboard`);
      await signOut(page);
      const first = await signInWithPassword(page);
      expect(await first.json()).toMatchObject({ mfa_required: true });
      expect(first.headers()['set-cookie'] ?? '').not.toContain('refresh_cookie');
      await expectCodeStep(page);
      await screenshot(page, 'totp-4-login-code-step');
      await page.setViewportSize(MOBILE);
      await screenshot(page, 'totp-4-login-code-step-mobile');
      await page.setViewportSize(DESKTOP);
      // The token of the step is kept in memory only.
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...localStorage, ...sessionStorage, cookie: document.cookie }),
      );
      expect(stored).not.toContain(((await first.json()) as { mfa_token: string }).mfa_token);

      // The right code signs in: a multi-factor session.
      expect((await submitCode(page, 'Authentication code', await app.nextCode())).status()).toBe(
        200,
      );
      expect(await amrOnDashboard(page)).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
      await signOut(page);

      // With a recovery code instead: signed in, and nine are left.
      await signInWithPassword(page);
      await expectCodeStep(page);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      expect(await page.getByLabel('Recovery code').getAttribute('autocomplete')).toBe('off');
      await screenshot(page, 'totp-5-login-recovery-code');
      expect((await submitCode(page, 'Recovery code', codes[0]!.toUpperCase())).status()).toBe(200);
      const amr = await amrOnDashboard(page);
      expect(amr).toEqual(expect.arrayContaining(['pwd', 'mfa']));
      expect(amr).not.toContain('otp');
      card = await openSecurity(page);
      await page.getByTestId('recovery-codes-left').filter({ hasText: '9 of 10 left' }).waitFor();
      await page.locator('#security').screenshot({
        path: join(ARTIFACTS_DIR, 'totp-6-account-security.png'),
      });
      await page.setViewportSize(MOBILE);
      await page.locator('#security').screenshot({
        path: join(ARTIFACTS_DIR, 'totp-6-account-security-mobile.png'),
      });
      await page.setViewportSize(DESKTOP);

      // A used recovery code and a wrong code are refused with a sentence; the step stays open.
      await page.goto(`${e2e.app.url}/dashboard`);
      await signOut(page);
      await signInWithPassword(page);
      await expectCodeStep(page);
      expect((await submitCode(page, 'Authentication code', app.wrongCode())).status()).toBe(401);
      const error = page.getByTestId('second-factor-step').getByRole('alert');
      await error.waitFor();
      expect(await error.textContent()).toContain('That code didn’t work');
      await screenshot(page, 'totp-7-wrong-code');
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      expect((await submitCode(page, 'Recovery code', codes[0]!)).status()).toBe(401);
      await page.getByText('That recovery code didn’t work').waitFor();

      // The back link returns to the password; the next code then signs in.
      await page.getByRole('button', { name: /Back to sign in/ }).click();
      await page.getByLabel('Password').waitFor();
      await signInWithPassword(page);
      await expectCodeStep(page);
      expect((await submitCode(page, 'Authentication code', await app.nextCode())).status()).toBe(
        200,
      );
      await expectDashboardFor(page, TARA.username);

      // Turning it off takes the password; then the password alone signs in again.
      card = await openSecurity(page);
      await card.getByRole('button', { name: 'Turn off' }).click();
      await card.getByLabel('Your password').fill(TARA.password);
      const disable = nextAuthResponse(page, '/auth/mfa/totp/disable/');
      await card.getByRole('button', { name: 'Turn off' }).click();
      expect((await disable).status()).toBe(200);
      await page.getByTestId('totp-status').filter({ hasText: 'Off' }).waitFor();
      await page.goto(`${e2e.app.url}/dashboard`);
      await signOut(page);
      await signInWithPassword(page);
      await expectDashboardFor(page, TARA.username);
    });
  });
});

const IDP_USER = {
  username: 'cody',
  password: 'cody-idp-password-1',
  email: 'cody@example.com',
  emailVerified: true,
  givenName: 'Cody',
  familyName: 'Cognito',
};

describeInBrowser('two-step verification after the identity provider in Chromium', () => {
  const e2e = useAppAndBrowser({ idpUsers: [IDP_USER] });

  /** Continue with Cognito → the stand-in hosted UI → back on /callback. */
  async function throughTheIdp(page: Page) {
    await page.goto(`${e2e.app.url}/login`);
    await page.getByRole('button', { name: 'Continue with Cognito' }).click();
    await page.waitForURL((url) => url.origin === new URL(e2e.app.idp!.url).origin);
    await page.getByLabel('Username').fill(IDP_USER.username);
    await page.getByLabel('Password').fill(IDP_USER.password);
    const exchange = nextAuthResponse(page, '/auth/social-exchange/', 20_000);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const answer = await exchange;
    expect(answer.status()).toBe(200);
    return (await answer.json()) as Record<string, unknown>;
  }

  it('an account without a password turns on the app after a recent sign-in; the callback page then asks for the code', async () => {
    await journey(e2e, 'totp-8-cognito-callback', async (page) => {
      expect(await throughTheIdp(page)).toHaveProperty('access_token');
      await expectDashboardFor(page, IDP_USER.username);

      // No password to ask for: the sign-in a moment ago confirms it is the user.
      await page.goto(`${e2e.app.url}/account#security`);
      const card = page.getByTestId('totp-card');
      await page.getByTestId('totp-status').waitFor();
      const setup = nextAuthResponse(page, '/auth/mfa/totp/setup/');
      await card.getByRole('button', { name: 'Turn on' }).click();
      expect((await setup).status()).toBe(200);
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(
        /\s+/g,
        '',
      );
      const app = new Authenticator(secret);
      await card.getByLabel('Code from the app').fill(await app.nextCode());
      await card.getByRole('button', { name: 'Turn on' }).click();
      await page.getByTestId('recovery-codes').waitFor();
      await card.getByRole('button', { name: 'I have saved them' }).click();
      await page.goto(`${e2e.app.url}/dashboard`);
      await page.getByTestId('username').waitFor();
      const logoff = nextAuthResponse(page, '/auth/logoff/');
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      expect((await logoff).status()).toBe(200);
      await page.waitForURL((url) => url.pathname === '/login', { waitUntil: 'commit' });

      // Through the IdP again: the exchange asks for the second step, and /callback for the code.
      expect(await throughTheIdp(page)).toMatchObject({ mfa_required: true });
      await page.getByTestId('second-factor-step').waitFor();
      expect(new URL(page.url()).pathname).toBe('/callback');
      await screenshot(page, 'totp-8-cognito-callback-code-step');
      await page.getByLabel('Authentication code').fill(await app.nextCode());
      const verified = nextAuthResponse(page, '/auth/mfa/verify/');
      await page.getByRole('button', { name: 'Verify' }).click();
      expect((await verified).status()).toBe(200);
      await expectDashboardFor(page, IDP_USER.username);
      await page.getByTestId('developer-panel').getByText('Developer panel').click();
      await page.getByRole('button', { name: 'Call protected API' }).click();
      const text = (await page.getByTestId('api-answer').textContent()) ?? '';
      expect(JSON.parse(text.slice(4))).toMatchObject({
        claims: { amr: expect.arrayContaining(['fed', 'otp', 'mfa']) },
      });
    });
  });
});
