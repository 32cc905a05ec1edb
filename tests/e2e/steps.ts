import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import { collectPageErrors, newContext, screenshot } from '../support/browser';

/** Resolves with the answer of the kit endpoint `path` (e.g. '/auth/sign-in/') that the page calls next. */
export function nextAuthResponse(page: Page, path: string, timeout?: number): Promise<Response> {
  return page.waitForResponse((response) => new URL(response.url()).pathname.replace(/\/$/, '') === path.replace(/\/$/, ''), { timeout });
}

/** Fills the demo's sign-in form and submits it; resolves with the sign-in endpoint's answer. */
export async function submitPasswordForm(page: Page, username: string, password: string): Promise<Response> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const answer = nextAuthResponse(page, '/auth/sign-in/');
  // Disabled until React has hydrated the form; click() waits for it to be enabled.
  await page.getByRole('button', { name: 'Sign in' }).click();
  return answer;
}

/** Waits until the dashboard shows `username` (client navigations fire no `load`, so wait on the element). */
export async function expectDashboardFor(page: Page, username: string, timeout?: number): Promise<void> {
  await page.getByTestId('username').waitFor({ state: 'visible', timeout });
  expect(new URL(page.url()).pathname).toBe('/dashboard');
  expect(await page.getByTestId('username').textContent()).toBe(username);
}

/**
 * Runs one journey in a fresh browser profile, always leaving a screenshot of the final page
 * (failing journeys included) and printing the page's uncaught errors when it fails.
 */
export async function journey(browser: Browser, name: string, body: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  try {
    await body(page, context);
  } catch (error) {
    if (errors.length > 0) console.warn(`[e2e] ${name}: the page reported\n  ${errors.join('\n  ')}`);
    throw error;
  } finally {
    await screenshot(context.pages().at(-1) ?? page, name);
    await context.close();
  }
}
