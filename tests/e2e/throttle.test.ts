import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchChromium } from '../support/browser';
import { startE2eApp, type E2eApp } from './app';
import { journey, submitPasswordForm } from './steps';

const BOB = { username: 'bob', password: 'bob-password-123' };

describeInBrowser('sign-in throttling in Chromium', () => {
  let app: E2eApp;
  let browser: Browser;

  beforeAll(async () => {
    // Two failures per username are allowed; the third attempt is throttled.
    [app, browser] = await Promise.all([startE2eApp({ users: [BOB], env: { AUTH_THROTTLE: 'username=2/900,address=100/900' } }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('repeated wrong passwords are throttled with a message saying when to try again', async () => {
    await journey(browser, '5-throttled', async (page) => {
      await page.goto(`${app.url}/login`);
      // Scoped to the page's content: Next's route announcer is an (empty) alert too.
      const alert = page.getByRole('main').getByRole('alert');
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        expect((await submitPasswordForm(page, BOB.username, `wrong-${attempt}`)).status()).toBe(401);
        await expect.poll(() => alert.textContent()).toBe('Wrong username or password.');
      }
      const throttled = await submitPasswordForm(page, BOB.username, 'wrong-3');
      expect(throttled.status()).toBe(429);
      expect(Number(throttled.headers()['retry-after'])).toBeGreaterThan(0);
      await expect.poll(() => alert.textContent()).toMatch(/^Too many sign-in attempts\. Try again in \d+ seconds\.$/);
      expect(new URL(page.url()).pathname).toBe('/login');
    });
  });
});
