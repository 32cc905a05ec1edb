import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { collectPageErrors, launchChromium, newContext, screenshot } from '../support/browser';
import { startE2eApp, type E2eApp, type E2eAppOptions } from './app';

/**
 * Starts the app and Chromium once for the enclosing describe() (in parallel) and stops both
 * after it. Read `app` and `browser` inside tests.
 */
export function useAppAndBrowser(options: E2eAppOptions = {}): {
  readonly app: E2eApp;
  readonly browser: Browser;
} {
  let app: E2eApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([startE2eApp(options), launchChromium()]);
    if (started.status === 'fulfilled') app = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  return {
    get app() {
      if (!app) throw new Error('the app is not running (see beforeAll)');
      return app;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not running (see beforeAll)');
      return browser;
    },
  };
}

/** Resolves with the answer of the kit endpoint `path` (e.g. '/auth/sign-in/') that the page calls next. */
export function nextAuthResponse(page: Page, path: string, timeout?: number): Promise<Response> {
  return page.waitForResponse(
    (response) => new URL(response.url()).pathname.replace(/\/$/, '') === path.replace(/\/$/, ''),
    { timeout },
  );
}

/** Fills the demo's sign-in form and submits it; resolves with the sign-in endpoint's answer. */
export async function submitPasswordForm(
  page: Page,
  username: string,
  password: string,
): Promise<Response> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const answer = nextAuthResponse(page, '/auth/sign-in/');
  // Disabled until React has hydrated the form; click() waits for it to be enabled.
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  return answer;
}

/** Waits until the dashboard shows `username` (client navigations fire no `load`, so wait on the element). */
export async function expectDashboardFor(
  page: Page,
  username: string,
  timeout?: number,
): Promise<void> {
  await page.getByTestId('username').waitFor({ state: 'visible', timeout });
  expect(new URL(page.url()).pathname).toBe('/dashboard');
  expect(await page.getByTestId('username').textContent()).toBe(username);
}

/**
 * Runs one journey in a fresh browser profile, always leaving a screenshot of the final page
 * (failing journeys included) and failing on uncaught page errors; when it fails, prints the
 * pages' errors and the server's last lines.
 */
export async function journey(
  { app, browser }: { app: E2eApp; browser: Browser },
  name: string,
  body: (page: Page, context: BrowserContext) => Promise<void>,
): Promise<void> {
  const context = await newContext(browser);
  const errors = collectPageErrors(context);
  const page = await context.newPage();
  try {
    await body(page, context);
    // The demo must not throw in the browser along the way (expected 4xx console lines aside).
    expect(errors.filter((line) => line.includes(' pageerror: '))).toEqual([]);
  } catch (error) {
    if (errors.length > 0)
      console.warn(`[e2e] ${name}: the page reported\n  ${errors.join('\n  ')}`);
    console.warn(
      `[e2e] ${name}: the server's last lines\n${app.server.output().split('\n').slice(-40).join('\n')}`,
    );
    throw error;
  } finally {
    await screenshot(context.pages().at(-1) ?? page, name);
    await context.close();
  }
}
