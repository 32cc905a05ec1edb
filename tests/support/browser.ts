import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

/** Debian's Chromium (CI installs it with apt-get); never a browser downloaded by Playwright. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where each journey leaves a screenshot of its final page (git-ignored). */
export const ARTIFACTS_DIR = join(process.cwd(), 'tests', 'artifacts', 'e2e');

/** Null when Chromium can be run, else why not and how to fix it. */
export function chromiumMissing(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return null;
  } catch {
    return `Chromium is not installed at ${CHROMIUM_PATH}: the e2e suite drives Debian's Chromium. Install it with \`apt-get install chromium\` (CI does), or point CHROMIUM_PATH at a Chromium binary. Set E2E_OPTIONAL=1 to skip the suite instead.`;
  }
}

/**
 * describe() for a browser suite. Without Chromium it fails loudly with the install hint, unless
 * E2E_OPTIONAL=1, which skips the suite visibly (the reason is in the suite's name).
 */
export function describeInBrowser(name: string, body: () => void): void {
  const missing = chromiumMissing();
  if (!missing) {
    // A journey signs in (Argon2) and renders several pages: give each more than the default.
    describe(name, { timeout: 60_000 }, body);
  } else if (process.env.E2E_OPTIONAL === '1') {
    console.warn(`[e2e] skipping "${name}": ${missing}`);
    describe.skip(`${name} (skipped: Chromium missing, E2E_OPTIONAL=1)`, body);
  } else {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(missing);
      });
    });
  }
}

/** Launches headless Chromium with the flags a container needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
}

/** A fresh browser profile (cookies, storage) whose actions fail after `timeoutMs`. */
export async function newContext(browser: Browser, timeoutMs = 15_000): Promise<BrowserContext> {
  const context = await browser.newContext();
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs * 2);
  return context;
}

/** Collects the uncaught errors and console errors of every page of `context`, to print beside a failing journey. */
export function collectPageErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (error) => errors.push(`${page.url()} pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error')
        errors.push(`${page.url()} console.error: ${message.text()} (${message.location().url})`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return errors;
}

/** Saves a full-page screenshot as tests/artifacts/e2e/<name>.png; never throws. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page
    .screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true, timeout: 5_000 })
    .catch((error: Error) => {
      console.warn(`[e2e] no screenshot for ${name}: ${error.message}`);
    });
}
