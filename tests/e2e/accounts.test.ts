import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  launchChromium,
  newContext,
  screenshot as fullPageScreenshot,
} from '../support/browser';
import { TEST_MAIL_ENV } from '../support/keys';
import {
  findLink,
  startTestMailCatcher,
  type CaughtMessage,
  type TestMailCatcher,
} from '../support/mail-catcher';
import { startE2eApp, type E2eApp } from './app';
import { journey, nextAuthResponse, submitPasswordForm } from './steps';

/**
 * The origin the mailed links are built from. Production requires an https AUTH_APP_URL (the
 * links carry one-time tokens) while the app under test answers on http://localhost:<port>, so
 * each journey asserts that a link starts with exactly this origin, then opens the link's path
 * and fragment on the app's real origin: what the user's browser would do if the app were
 * deployed at AUTH_APP_URL.
 */
const APP_ORIGIN = TEST_MAIL_ENV.AUTH_APP_URL;

/** Passwords the rules accept (long enough, not common, not like the usernames). */
const PASSWORD = 'violet-harbour-71';
const NEW_PASSWORD = 'copper-lantern-58';

/**
 * A full-page screenshot from the top: taken scrolled down (after filling a form low on the
 * account page), Chromium paints the sticky navigation in the middle of the picture.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0)).catch(() => undefined);
  await fullPageScreenshot(page, name);
}

/** Seeded users: verified addresses, created with the CLI's rules before the app starts. */
const RUTH = { username: 'ruth', email: 'ruth@example.com' };
const OMAR = { username: 'omar', email: 'omar@example.com' };
const DELIA = { username: 'delia', email: 'delia@example.com' };

/**
 * The journeys of docs/contract.md section 8 in Chromium against `next start`, with every mail
 * going through real SMTP to the local mail catcher in this process: sign up and verify, forgot
 * password and reset, change the e-mail address, delete the account.
 */
describeInBrowser('accounts and e-mail in Chromium, through real SMTP', () => {
  let mail: TestMailCatcher | undefined;
  let app: E2eApp | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const [caught, launched] = await Promise.allSettled([startTestMailCatcher(), launchChromium()]);
    if (launched.status === 'fulfilled') browser = launched.value;
    if (caught.status === 'rejected') throw caught.reason;
    mail = caught.value;
    if (launched.status === 'rejected') throw launched.reason;
    app = await startE2eApp({
      env: { AUTH_APP_URL: APP_ORIGIN, SMTP_URL: mail.smtpUrl },
      users: [RUTH, OMAR, DELIA].map((user) => ({
        ...user,
        password: PASSWORD,
        emailVerified: true,
      })),
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await mail?.close();
  });

  const e2e = () => {
    if (!app || !browser || !mail)
      throw new Error('the app, Chromium or the catcher is not running');
    return { app, browser, mail };
  };
  // Each journey signs in several times (Argon2) and waits on mail: on two loaded cores one has
  // taken 47 s, so they get twice the browser suites' minute.
  const run = (name: string, body: (page: Page, context: BrowserContext) => Promise<void>) =>
    it(name, { timeout: 120_000 }, () => journey(e2e(), name, body));

  /**
   * The one link to `pathname` in `message`: on a line of its own in the text part, in the HTML
   * part too, built from AUTH_APP_URL (never from the Host the browser sent). Returns it as the
   * app under test serves it.
   */
  function linkIn(message: CaughtMessage, pathname: string): string {
    const link = findLink(message, pathname);
    expect(new URL(link).origin).toBe(APP_ORIGIN);
    expect(link).toMatch(new RegExp(`^${APP_ORIGIN}${pathname}#token=[^\\s]{20,}$`));
    expect(message.text.split(/\r?\n/).map((line) => line.trim())).toContain(link);
    expect(message.html).toContain(link);
    const { pathname: path, search, hash } = new URL(link);
    return `${e2e().app.url}${path}${search}${hash}`;
  }

  /** Signs in on /login and waits for `next` (a client navigation: wait on its element). */
  async function signIn(page: Page, username: string, password: string, next = '/dashboard') {
    await page.goto(`${e2e().app.url}/login?next=${encodeURIComponent(next)}`);
    expect((await submitPasswordForm(page, username, password)).status()).toBe(200);
    await page.waitForURL((url) => url.pathname === next);
  }

  /** The server-rendered account page of `username`, with its e-mail card loaded. */
  async function openAccount(page: Page, username: string): Promise<void> {
    await page.goto(`${e2e().app.url}/account`);
    await page.getByTestId('account-username').waitFor();
    expect(await page.getByTestId('account-username').textContent()).toBe(username);
    // The badge appears once GET /auth/account/ has answered through the hook.
    await page.getByTestId('email-badge').waitFor();
  }

  /**
   * A browser that was signed in is signed out: its next refresh (the hook refreshes through
   * the cookie on load) is refused, and the server-rendered account page sends it to sign in.
   */
  async function expectSignedOut(page: Page, name: string): Promise<void> {
    const refresh = nextAuthResponse(page, '/auth/refresh/');
    await page.goto(`${e2e().app.url}/`);
    expect((await refresh).status()).toBe(401);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Sign in', exact: true })
      .waitFor();
    await screenshot(page, `${name}-home-signed-out`);
    await page.goto(`${e2e().app.url}/account`);
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
  }

  /** Submits the sign-in form and expects it refused with "wrong username or password". */
  async function expectSignInRefused(page: Page, username: string, password: string) {
    await page.goto(`${e2e().app.url}/login`);
    expect((await submitPasswordForm(page, username, password)).status()).toBe(401);
    await page
      .getByRole('alert')
      .filter({ hasText: /username or password/i })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  }

  run('accounts-1-sign-up-and-verify', async (page) => {
    const { app, mail } = e2e();
    const user = { username: 'nadia', email: 'Nadia.Brook@example.com' };
    await page.goto(`${app.url}/login`);
    await page.getByRole('link', { name: /create an account|sign up/i }).click();
    await page.waitForURL((url) => url.pathname === '/sign-up');
    await page.getByLabel('First name').fill('Nadia');
    await page.getByLabel('Last name').fill('Brook');
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('E-mail address').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, 'accounts-1-sign-up-form');
    const answer = nextAuthResponse(page, '/auth/sign-up/');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect((await answer).status()).toBe(202);
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect(await page.getByTestId('sign-up-sent').isVisible()).toBe(true);
    expect(await page.locator('main').textContent()).toContain(user.email);
    await screenshot(page, 'accounts-1-check-your-inbox');

    const message = await mail.waitForMail({ to: user.email });
    const link = linkIn(message, '/verify-email');

    // Before the link is opened, the right password is turned away with a way forward.
    await page.goto(`${app.url}/login`);
    expect((await submitPasswordForm(page, user.username, PASSWORD)).status()).toBe(403);
    await page.getByText('Confirm your e-mail address first').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'accounts-1-sign-in-before-verifying');

    const verified = nextAuthResponse(page, '/auth/email/verify/');
    await page.goto(link);
    expect((await verified).status()).toBe(200);
    await page.getByTestId('email-verified').waitFor();
    expect(await page.getByTestId('verified-username').textContent()).toBe(user.username);
    // The token leaves the address bar once read.
    expect(new URL(page.url()).hash).toBe('');
    await screenshot(page, 'accounts-1-email-confirmed');

    await page.getByRole('link', { name: 'Go to your account' }).click();
    await page.getByTestId('account-username').waitFor();
    await page.getByTestId('email-badge').waitFor();
    expect(await page.getByTestId('account-username').textContent()).toBe(user.username);
    // The address as the person typed it (the mail went to it; the catcher lowercases).
    expect(await page.getByTestId('account-email').textContent()).toBe(user.email);
    expect(await page.getByTestId('email-badge').textContent()).toBe('Verified');
    await screenshot(page, 'accounts-1-account-verified');

    // The link is single use: opening it again says so.
    await page.goto(link);
    await page.getByTestId('verify-failed').waitFor();
    await page.getByRole('heading', { name: 'This link can’t be used' }).waitFor();
  });

  run('accounts-2-forgot-and-reset-password', async (page) => {
    const { app, browser, mail } = e2e();
    // Another browser signed in before the reset: the reset must end its session.
    const other = await newContext(browser);
    try {
      const otherPage = await other.newPage();
      await signIn(otherPage, RUTH.username, PASSWORD);

      await page.goto(`${app.url}/login`);
      await page.getByRole('link', { name: /forgot/i }).click();
      await page.waitForURL((url) => url.pathname === '/forgot-password');
      await page.getByLabel('E-mail address').fill(RUTH.email);
      await screenshot(page, 'accounts-2-forgot-password');
      const requested = nextAuthResponse(page, '/auth/password-reset/');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      expect((await requested).status()).toBe(202);
      await page.getByTestId('reset-requested').waitFor();
      expect(await page.getByTestId('reset-requested').textContent()).toContain(RUTH.email);
      await screenshot(page, 'accounts-2-reset-requested');

      const link = linkIn(await mail.waitForMail({ to: RUTH.email }), '/reset-password');
      await page.goto(link);
      await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      expect(new URL(page.url()).hash).toBe('');
      await screenshot(page, 'accounts-2-set-new-password');
      const confirmed = nextAuthResponse(page, '/auth/password-reset/confirm/');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect((await confirmed).status()).toBe(200);
      await page.getByTestId('password-reset-done').waitFor();
      await screenshot(page, 'accounts-2-password-set');

      await expectSignedOut(otherPage, 'accounts-2-other-browser');
      await screenshot(otherPage, 'accounts-2-other-browser-login');

      await expectSignInRefused(page, RUTH.username, PASSWORD);
      await screenshot(page, 'accounts-2-old-password-refused');
      await signIn(page, RUTH.username, NEW_PASSWORD);
      expect(await page.getByTestId('username').textContent()).toBe(RUTH.username);
    } finally {
      await other.close();
    }
  });

  run('accounts-3-change-email', async (page) => {
    const { mail } = e2e();
    const newEmail = 'omar.new@example.com';
    await signIn(page, OMAR.username, PASSWORD, '/account');
    await openAccount(page, OMAR.username);
    expect(await page.getByTestId('account-email').textContent()).toBe(OMAR.email);

    const card = page.locator('#email');
    await card.getByRole('button', { name: 'Change e-mail' }).click();
    await card.getByLabel('New e-mail address').fill(newEmail);
    await card.getByLabel('Current password').fill(PASSWORD);
    await screenshot(page, 'accounts-3-change-email-form');
    const requested = nextAuthResponse(page, '/auth/email/change/');
    await card.locator('form').getByRole('button', { name: 'Change e-mail' }).click();
    expect((await requested).status()).toBe(202);
    await page.getByText('Check your new inbox').waitFor();
    // Nothing changes until the link is used.
    expect(await page.getByTestId('account-email').textContent()).toBe(OMAR.email);
    await screenshot(page, 'accounts-3-check-new-inbox');

    const confirmation = await mail.waitForMail({ to: newEmail });
    const notice = await mail.waitForMail({ to: OMAR.email });
    expect(confirmation.to).not.toContain(OMAR.email);
    expect(notice.to).not.toContain(newEmail);
    // The notice tells the old address about the change and carries no link that changes it.
    expect(notice.links.some((link) => new URL(link).pathname === '/verify-email')).toBe(false);
    const link = linkIn(confirmation, '/verify-email');

    const verified = nextAuthResponse(page, '/auth/email/verify/');
    await page.goto(link);
    expect((await verified).status()).toBe(200);
    await page.getByTestId('email-verified').waitFor();
    await screenshot(page, 'accounts-3-email-confirmed');

    await openAccount(page, OMAR.username);
    expect(await page.getByTestId('account-email').textContent()).toBe(newEmail);
    expect(await page.getByTestId('email-badge').textContent()).toBe('Verified');
    await screenshot(page, 'accounts-3-account-new-address');
  });

  run('accounts-4-delete-account', async (page) => {
    const { app, browser } = e2e();
    const other = await newContext(browser);
    try {
      const otherPage = await other.newPage();
      await signIn(otherPage, DELIA.username, PASSWORD);
      await signIn(page, DELIA.username, PASSWORD, '/account');
      await openAccount(page, DELIA.username);

      await page.getByRole('button', { name: 'Delete account…' }).click();
      // A wrong password deletes nothing and says why.
      await page.getByLabel('Your password').fill('not-the-password-1');
      const refused = nextAuthResponse(page, '/auth/account/delete/');
      await page.getByRole('button', { name: 'Delete account', exact: true }).click();
      expect((await refused).status()).toBe(400);
      await page
        .locator('#delete')
        .getByText(/password/i)
        .first()
        .waitFor();
      await screenshot(page, 'accounts-4-wrong-password');

      await page.getByLabel('Your password').fill(PASSWORD);
      await screenshot(page, 'accounts-4-delete-form');
      const deleted = nextAuthResponse(page, '/auth/account/delete/');
      await page.getByRole('button', { name: 'Delete account', exact: true }).click();
      expect((await deleted).status()).toBe(200);
      await page.waitForURL((url) => url.pathname === '/');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Sign in', exact: true })
        .waitFor();
      await page.getByTestId('account-deleted').waitFor();
      expect(await page.getByTestId('account-deleted').textContent()).toContain(
        'Your account is deleted',
      );
      await screenshot(page, 'accounts-4-deleted-home');
      // The deleting browser's cookies are gone: the account page asks to sign in.
      await page.goto(`${app.url}/account`);
      await page.waitForURL((url) => url.pathname === '/login');

      await expectSignedOut(otherPage, 'accounts-4-other-browser');
      await expectSignInRefused(page, DELIA.username, PASSWORD);
      await screenshot(page, 'accounts-4-sign-in-refused');
    } finally {
      await other.close();
    }
  });
});
