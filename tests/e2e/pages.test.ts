import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser, newContext, screenshot } from '../support/browser';
import {
  expectDashboardFor,
  journey,
  nextAuthResponse,
  submitPasswordForm,
  useAppAndBrowser,
} from './steps';

const PAT = { username: 'pat', password: 'pat-password-123', email: 'pat@example.com' };

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
} as const;

/** The pages a visitor reaches signed out, and what each must show. */
const SIGNED_OUT: { name: string; path: string; heading: RegExp }[] = [
  { name: 'home', path: '/', heading: /Production-grade sign-in/ },
  { name: 'login', path: '/login', heading: /Sign in to your account/ },
  { name: 'sign-up', path: '/sign-up', heading: /Create your account/ },
  { name: 'forgot-password', path: '/forgot-password', heading: /Forgot your password/ },
  { name: 'verify-email', path: '/verify-email', heading: /Open the link from your e-mail/ },
  { name: 'reset-password', path: '/reset-password', heading: /Open the link from your e-mail/ },
  { name: 'callback', path: '/callback?code=used&state=unknown', heading: /not set up/ },
];

/** The build's browser chunk that holds `text` (the one a test makes unreachable). */
function chunkWith(text: string): string {
  const dir = join(process.cwd(), '.next', 'static', 'chunks');
  const name = readdirSync(dir).find(
    (file) => file.endsWith('.js') && readFileSync(join(dir, file), 'utf8').includes(text),
  );
  if (!name) throw new Error(`no chunk of the build holds ${JSON.stringify(text)}`);
  return name;
}

/**
 * What every demo page must hold at every width: one h1, no sideways scrolling, a label for
 * every field and a name for every button, and no raw JSON outside the developer panel.
 */
async function expectWellFormed(page: Page, where: string): Promise<void> {
  const facts = await page.evaluate(() => {
    const visible = (element: Element) => {
      const box = (element as HTMLElement).getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    };
    const fields = [...document.querySelectorAll('input, select, textarea')].filter(visible);
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      headings: [...document.querySelectorAll('h1')].filter(visible).length,
      unlabelled: fields
        .filter(
          (field) =>
            ((field as HTMLInputElement).labels?.length ?? 0) === 0 &&
            !field.getAttribute('aria-label'),
        )
        .map((field) => field.outerHTML),
      unnamedButtons: [...document.querySelectorAll('button, a')]
        .filter(visible)
        .filter(
          (element) => !(element.textContent ?? '').trim() && !element.getAttribute('aria-label'),
        )
        .map((element) => element.outerHTML.slice(0, 120)),
      rawJson: [...document.querySelectorAll('pre')]
        .filter(visible)
        .filter((pre) => !pre.closest('[data-testid="developer-panel"]')).length,
    };
  });
  expect(facts.overflow, `${where}: sideways scrolling`).toBeLessThanOrEqual(0);
  expect(facts.headings, `${where}: one visible h1`).toBe(1);
  expect(facts.unlabelled, `${where}: fields without a label`).toEqual([]);
  expect(facts.unnamedButtons, `${where}: buttons and links without a name`).toEqual([]);
  expect(facts.rawJson, `${where}: raw data outside the developer panel`).toBe(0);
}

describeInBrowser('the demo pages at desktop and phone widths in Chromium', () => {
  const e2e = useAppAndBrowser({ users: [PAT] });

  it('every signed-out page renders well-formed, with "Sign in" and "Create account" in the navigation', async () => {
    await journey(e2e, 'pages-signed-out', async (page) => {
      for (const [label, viewport] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(viewport);
        for (const { name, path, heading } of SIGNED_OUT) {
          await page.goto(`${e2e.app.url}${path}`);
          await page.getByRole('heading', { level: 1, name: heading }).waitFor();
          const nav = page.getByRole('navigation', { name: 'Main' });
          await nav.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
          await nav.getByRole('link', { name: 'Create account' }).waitFor();
          await expectWellFormed(page, `${name} at ${label}`);
          await screenshot(page, `pages-${name}-${label}`);
        }
      }
    });
  });

  it('the login page links to sign-up and to the password reset', async () => {
    await journey(e2e, 'pages-login-links', async (page) => {
      await page.goto(`${e2e.app.url}/login`);
      await page.getByRole('main').getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL((url) => url.pathname === '/forgot-password');
      await page.getByRole('button', { name: 'Send reset link' }).waitFor();
      await page.goto(`${e2e.app.url}/login`);
      await page.getByRole('main').getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL((url) => url.pathname === '/sign-up');
      await page.getByRole('button', { name: 'Create account' }).waitFor();
    });
  });

  it('a link token is read from the fragment and removed from the address bar', async () => {
    await journey(e2e, 'pages-fragment-token', async (page) => {
      for (const path of ['/verify-email', '/reset-password']) {
        const posted: string[] = [];
        page.on('request', (request) => {
          if (!request.isNavigationRequest() && request.url().includes('not-a-real-token'))
            posted.push(request.url());
        });
        await page.goto(`${e2e.app.url}${path}#token=not-a-real-token`);
        await expect.poll(() => new URL(page.url()).hash).toBe('');
        expect(new URL(page.url()).pathname).toBe(path);
        // The token travels in a POST body, never in a URL.
        expect(posted).toEqual([]);
      }
      // The reset form keeps the token for its POST: the form is there, not "open the link".
      await page.getByRole('button', { name: 'Set new password' }).waitFor();
      await expectWellFormed(page, 'reset-password with a token');
      await screenshot(page, 'pages-reset-password-form-desktop');
    });
  });

  it('signed in, the first server-rendered HTML already shows the user, and every page is well-formed', async () => {
    await journey(e2e, 'pages-signed-in', async (page) => {
      await page.goto(`${e2e.app.url}/login`);
      expect((await submitPasswordForm(page, PAT.username, PAT.password)).status()).toBe(200);
      await page.getByTestId('username').waitFor();

      // No flash of the signed-out state: the server's HTML (before any script) has the user.
      const html = await (await page.request.get(`${e2e.app.url}/`)).text();
      expect(html).toContain('Welcome back, <!-- -->pat');
      expect(html).toContain('data-testid="nav-username">pat<');
      expect(html).not.toContain('>Create account<');

      for (const [label, viewport] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(viewport);
        for (const path of ['/', '/dashboard', '/account']) {
          await page.goto(`${e2e.app.url}${path}`);
          if (path === '/') await page.getByTestId('welcome').waitFor();
          if (path === '/dashboard') await page.getByTestId('username').waitFor();
          if (path === '/account') await page.getByTestId('session').first().waitFor();
          await expectWellFormed(page, `${path} at ${label}`);
          const nav = page.getByRole('navigation', { name: 'Main' });
          expect(await nav.getByRole('link', { name: 'Sign in', exact: true }).count()).toBe(0);
          if (label === 'mobile') {
            await page.getByRole('button', { name: 'Menu' }).click();
            await page.locator('#mobile-menu').getByRole('link', { name: 'Account' }).waitFor();
            await page.locator('#mobile-menu').getByRole('button', { name: 'Sign out' }).waitFor();
          } else {
            expect(await page.getByTestId('nav-username').textContent()).toBe(PAT.username);
            await nav.getByRole('link', { name: 'Account' }).waitFor();
            await nav.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
          }
          await screenshot(
            page,
            `pages-${path === '/' ? 'home' : path.slice(1)}-signed-in-${label}`,
          );
        }
      }

      // The account page's sessions list names this device; the security section offers two-step
      // verification (off for this user) and passkeys.
      const current = page.getByTestId('session').filter({ hasText: 'This device' });
      expect(await current.count()).toBe(1);
      expect(await current.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
      const twoStep = page.locator('#two-step');
      await twoStep.getByRole('button', { name: 'Turn on' }).waitFor();
      expect(await page.locator('#passkeys').count()).toBe(1);

      // Signing out from the navigation is a real log-off, and the home page follows it.
      await page.setViewportSize(VIEWPORTS.desktop);
      await page.goto(`${e2e.app.url}/`);
      await page.getByTestId('welcome').waitFor();
      const logoff = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/logoff/');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('button', { name: 'Sign out', exact: true })
        .click();
      expect((await logoff).status()).toBe(200);
      await page.getByRole('heading', { level: 1, name: /Production-grade sign-in/ }).waitFor();
      const after = await (await page.request.get(`${e2e.app.url}/`)).text();
      expect(after).not.toContain('data-testid="nav-username"');
    });
  });

  it('a page whose code cannot be loaded says so in words and offers a way on, never a blank page or a stack', async () => {
    // The passkey button loads on demand (next/dynamic): a deploy that replaced the chunks, or a
    // connection lost, leaves the page without it. The demo's error page takes over.
    const chunk = chunkWith('Sign in with a passkey');
    const context = await newContext(e2e.browser);
    const page = await context.newPage();
    try {
      await page.route(`**/_next/static/chunks/${chunk}`, (route) => route.abort());
      await page.goto(`${e2e.app.url}/login`);
      await page.getByRole('heading', { level: 1, name: 'Something went wrong' }).waitFor();
      await page.getByTestId('page-error').waitFor();
      const text = await page.getByRole('main').innerText();
      expect(text).toContain('Check your connection, then try again.');
      expect(text).not.toMatch(/at \w+ \(|ChunkLoadError|static\/chunks|TypeError/);
      await expectWellFormed(page, 'the error page');
      await screenshot(page, 'pages-error-chunk-unreachable');

      // Back online: "Try again" loads the page's code afresh, and the form works.
      await page.unroute(`**/_next/static/chunks/${chunk}`);
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('heading', { level: 1, name: /Sign in to your account/ }).waitFor();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      expect((await submitPasswordForm(page, PAT.username, PAT.password)).status()).toBe(200);
    } finally {
      await context.close();
    }
  });

  it('a part of the page whose code is still loading does not empty the form the user is typing into', async () => {
    // The passkey button's code (next/dynamic) arrives late, after the rest of the page has
    // hydrated: the form sits in the same <Suspense> part, still server HTML, while the provider
    // settles its state. An urgent change there would make React render the part afresh, empty.
    const chunk = chunkWith('Sign in with a passkey');
    await journey(e2e, 'pages-login-slow-part', async (page) => {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(`**/_next/static/chunks/${chunk}`, async (route) => {
        await held;
        await route.continue();
      });
      // The links' prefetches start once the page around the form has hydrated and run its effects.
      const hydrated = page.waitForRequest((request) => request.url().includes('_rsc='));
      await page.goto(`${e2e.app.url}/login`, { waitUntil: 'domcontentloaded' });
      await page.getByLabel('Username').fill(PAT.username);
      await page.getByLabel('Password').fill(PAT.password);
      await page.evaluate(() =>
        document.querySelector('form')?.setAttribute('data-typed-into', ''),
      );
      await hydrated;
      await page.waitForTimeout(500);
      release();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      // The same form element, with what was typed (not a fresh one).
      expect(await page.locator('form[data-typed-into]').count()).toBe(1);
      expect(await page.getByLabel('Username').inputValue()).toBe(PAT.username);
      expect(await page.getByLabel('Password').inputValue()).toBe(PAT.password);
      const answer = nextAuthResponse(page, '/auth/sign-in/');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      expect((await answer).status()).toBe(200);
      await expectDashboardFor(page, PAT.username);
    });
  });
});
