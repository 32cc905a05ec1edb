import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '@/auth/services/users';
import { findUserByUsername } from '@/db/queries/users';
import { describeInBrowser, launchChromium, newContext, screenshot } from '../support/browser';
import { jwtOfSignedCookie } from '../support/cookies';
import { PATHS } from '../support/requests';
import { openTestDatabase, type TestDatabase } from '../support/databases';
import { HttpClient } from '../support/http-client';
import { startE2eApp, type E2eApp } from './app';
import { journey, submitPasswordForm } from './steps';

const PASSWORD = 'account-password-123';
const USERS = ['ada', 'ben', 'cleo', 'dora', 'eli', 'fay'];

/**
 * The server-rendered account page (requireUser) and its profile Server Action in Chromium, on
 * PostgreSQL so that the command line can change users while the app runs. After each kind of
 * revocation the open form's next save and the next render are signed out, though the browser
 * still holds its (validly signed) session cookie.
 */
describeInBrowser('the account page and its Server Action in Chromium', () => {
  let database: TestDatabase | null = null;
  let app: E2eApp | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    database = await openTestDatabase('pg');
    if (!database) return;
    for (const username of USERS) await createUser(database.db, { username, password: PASSWORD });
    const url = (database.settings as { url: string }).url;
    [app, browser] = await Promise.all([
      startE2eApp({ env: { DATABASE_URL: url } }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.dispose();
  });

  const e2e = () => {
    if (!app || !browser) throw new Error('the app or Chromium is not running');
    return { app, browser };
  };
  const run = (name: string, body: (page: Page, context: BrowserContext) => Promise<void>) =>
    it(name, async (context) => {
      if (!database) return context.skip('PostgreSQL unreachable: the journeys need the CLI');
      await journey(e2e(), name, body);
    });

  /** Signs in on the login page with `next=/account` and waits for the server-rendered page. */
  async function signInToAccount(page: Page, username: string): Promise<void> {
    await page.goto(`${e2e().app.url}/login?next=/account`);
    expect((await submitPasswordForm(page, username, PASSWORD)).status()).toBe(200);
    await expectAccountFor(page, username);
  }

  async function expectAccountFor(page: Page, username: string): Promise<void> {
    await page.getByTestId('account-username').waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.getByTestId('account-username').textContent()).toBe(username);
  }

  async function save(page: Page, firstName: string): Promise<string> {
    await page.getByLabel('First name').fill(firstName);
    await page.getByRole('button', { name: 'Save' }).click();
    const status = page.getByTestId('profile-status');
    await status.filter({ hasText: /\S/ }).waitFor();
    return (await status.textContent())?.trim() ?? '';
  }

  /** The open form's next save is refused, then the next render is the sign-in page. */
  async function expectSignedOut(page: Page, username: string, name: string): Promise<void> {
    expect(await save(page, 'Mallory')).toContain('You are signed out: nothing was saved.');
    // The refused action tells the hook, whose refresh the server refuses too: the navigation
    // shows the signed-out state without a reload.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Sign in', exact: true })
      .waitFor({ timeout: 5_000 });
    await screenshot(page, `${name}-action-refused`);
    expect((await findUserByUsername(database!.db, username))?.firstName).not.toBe('Mallory');
    await page.reload();
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
  }

  /** The session id of the browser's session (from its refresh cookie). */
  async function sidOf(context: BrowserContext): Promise<string> {
    const cookie = (await context.cookies(`${e2e().app.url}/auth/`)).find(
      (c) => c.name === 'refresh_cookie',
    );
    return String(decodeJwt(jwtOfSignedCookie(decodeURIComponent(cookie!.value))).sid);
  }

  function cli(args: string[], stdin = ''): Promise<number> {
    const child = execFile(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', ...args],
      {
        env: {
          ...process.env,
          NODE_ENV: 'development',
          DATABASE_URL: (database!.settings as { url: string }).url,
          AUTH_DATA_DIR: mkdtempSync(join(tmpdir(), 'kit-e2e-cli-')),
        },
      },
    );
    child.stdin?.end(stdin);
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }

  run('account-1-render-and-save', async (page) => {
    await signInToAccount(page, 'ada');
    expect(await save(page, 'Ada')).toBe('Saved.');
    await page.reload();
    await expectAccountFor(page, 'ada');
    expect(await page.getByLabel('First name').inputValue()).toBe('Ada');
  });

  run('account-2-log-off-with-the-cookie-kept', async (page, context) => {
    await signInToAccount(page, 'ben');
    const kept = await context.cookies(`${e2e().app.url}/`);
    const other = await context.newPage();
    await other.goto(`${e2e().app.url}/dashboard`);
    await other.getByTestId('username').waitFor();
    await other.getByRole('button', { name: 'Sign out', exact: true }).click();
    await other.waitForURL((url) => url.pathname === '/login');
    await other.close();
    // Put the session cookie back: the server, not the missing cookie, must say no.
    await context.addCookies(kept.filter((cookie) => cookie.name === 'session'));
    await expectSignedOut(page, 'ben', 'account-2-log-off-with-the-cookie-kept');
  });

  run('account-3-log-off-everywhere-from-another-browser', async (page) => {
    await signInToAccount(page, 'cleo');
    const elsewhere = await newContext(e2e().browser);
    try {
      const other = await elsewhere.newPage();
      await other.goto(`${e2e().app.url}/login`);
      await submitPasswordForm(other, 'cleo', PASSWORD);
      await other.getByTestId('username').waitFor();
      await other.getByRole('button', { name: 'Sign out everywhere' }).click();
      await other.waitForURL((url) => url.pathname === '/login');
    } finally {
      await elsewhere.close();
    }
    await expectSignedOut(page, 'cleo', 'account-3-log-off-everywhere-from-another-browser');
  });

  run('account-4-session-revoked', async (page, context) => {
    await signInToAccount(page, 'dora');
    const api = new HttpClient(e2e().app.url);
    const signedIn = await api.post(PATHS.signIn, { username: 'dora', password: PASSWORD });
    const { access_token } = (await signedIn.json()) as { access_token: string };
    const revoked = await api.post(
      PATHS.revoke,
      { sid: await sidOf(context) },
      { Authorization: `Bearer ${access_token}` },
    );
    expect(revoked.status).toBe(200);
    await expectSignedOut(page, 'dora', 'account-4-session-revoked');
  });

  run('account-5-set-password', async (page) => {
    await signInToAccount(page, 'eli');
    expect(await cli(['set-password', 'eli', '--password-stdin'], 'another-password-9\n')).toBe(0);
    await expectSignedOut(page, 'eli', 'account-5-set-password');
  });

  run('account-6-deactivate', async (page) => {
    await signInToAccount(page, 'fay');
    expect(await cli(['deactivate', 'fay'])).toBe(0);
    await expectSignedOut(page, 'fay', 'account-6-deactivate');
  });
});
