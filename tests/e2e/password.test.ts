import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser } from '../support/browser';
import {
  expectDashboardFor,
  journey,
  nextAuthResponse,
  submitPasswordForm,
  useAppAndBrowser,
} from './steps';

const ALICE = { username: 'alice', password: 'alice-password-123', email: 'alice@example.com' };
const BOB = { username: 'bob', password: 'bob-password-123' };
const AUTH_COOKIES = ['refresh_cookie', 'CSRF_token', 'session'];

describeInBrowser('password journeys in Chromium', () => {
  // Two failed sign-ins per username, the third is throttled (bob's journey). Only one journey
  // fails alice's password once, so her successful sign-ins are never throttled.
  const e2e = useAppAndBrowser({
    users: [ALICE, BOB],
    env: { AUTH_THROTTLE: 'username=2/900,address=100/900' },
  });

  /** The refresh and CSRF cookies live under /auth, the session cookie under /: ask for both paths. */
  const cookieUrls = () => [`${e2e.app.url}/`, `${e2e.app.url}/auth/`];

  async function signInAsAlice(page: Page, path = '/login') {
    await page.goto(`${e2e.app.url}${path}`);
    const answer = await submitPasswordForm(page, ALICE.username, ALICE.password);
    expect(answer.status()).toBe(200);
    return answer;
  }

  it('a user signs in with a password, stays signed in across a reload, calls the protected API, signs out and is sent back to the sign-in page', async () => {
    await journey(e2e, '1-password-sign-in-reload-api-sign-out', async (page, context) => {
      await signInAsAlice(page);
      await expectDashboardFor(page, ALICE.username);

      await page.reload();
      await expectDashboardFor(page, ALICE.username);

      // The raw answer lives in the dashboard's collapsed developer panel: open it first.
      await page.getByTestId('developer-panel').getByText('Developer panel').click();
      await page.getByRole('button', { name: 'Call protected API' }).click();
      const answer = page.getByTestId('api-answer');
      await answer.waitFor();
      const text = (await answer.textContent()) ?? '';
      expect(text.startsWith('200 ')).toBe(true);
      expect(JSON.parse(text.slice(4))).toMatchObject({ username: ALICE.username });

      const logoff = nextAuthResponse(page, '/auth/logoff/');
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      expect((await logoff).status()).toBe(200);
      await page.waitForURL((url) => url.pathname === '/login', { waitUntil: 'commit' });
      expect(
        (await context.cookies(cookieUrls()))
          .map((c) => c.name)
          .filter((name) => AUTH_COOKIES.includes(name)),
      ).toEqual([]);

      // The proxy, not only the page's script, turns a signed-out visitor away.
      const response = await page.goto(`${e2e.app.url}/dashboard`);
      const redirect = response?.request().redirectedFrom();
      expect(redirect && new URL(redirect.url()).pathname).toBe('/dashboard');
      expect((await redirect?.response())?.status()).toBeGreaterThanOrEqual(300);
      const landed = new URL(page.url());
      expect(landed.pathname).toBe('/login');
      expect(landed.searchParams.get('next')).toBe('/dashboard');
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    });
  });

  it('signing in from the redirect returns to the original page and query', async () => {
    await journey(e2e, '2-return-to-original-page', async (page) => {
      await page.goto(`${e2e.app.url}/dashboard?tab=2&view=list`);
      const login = new URL(page.url());
      expect(login.pathname).toBe('/login');
      expect(login.searchParams.get('next')).toBe('/dashboard?tab=2&view=list');

      await submitPasswordForm(page, ALICE.username, ALICE.password);
      await page.waitForURL(`${e2e.app.url}/dashboard?tab=2&view=list`, { waitUntil: 'commit' });
      await expectDashboardFor(page, ALICE.username);
      expect(new URL(page.url()).search).toBe('?tab=2&view=list');
    });
  });

  it('a wrong password shows an error message and signs nobody in', async () => {
    await journey(e2e, '4-wrong-password', async (page, context) => {
      await page.goto(`${e2e.app.url}/login`);
      const answer = await submitPasswordForm(page, ALICE.username, 'not-the-password');
      expect(answer.status()).toBe(401);
      // Scoped to the page's content: Next's route announcer is an (empty) alert too.
      const alert = page.getByRole('main').getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('Wrong username or password.');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(
        (await context.cookies(cookieUrls())).filter((c) => AUTH_COOKIES.includes(c.name)),
      ).toEqual([]);
    });
  });

  it('repeated wrong passwords are throttled with a message saying when to try again', async () => {
    await journey(e2e, '5-throttled', async (page) => {
      await page.goto(`${e2e.app.url}/login`);
      // Scoped to the page's content: Next's route announcer is an (empty) alert too.
      const alert = page.getByRole('main').getByRole('alert');
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        expect((await submitPasswordForm(page, BOB.username, `wrong-${attempt}`)).status()).toBe(
          401,
        );
        await expect.poll(() => alert.textContent()).toBe('Wrong username or password.');
      }
      const throttled = await submitPasswordForm(page, BOB.username, 'wrong-3');
      expect(throttled.status()).toBe(429);
      const retryAfter = Number(throttled.headers()['retry-after']);
      // The window is 900 s: the wait is said in minutes, rounded up, never "899 seconds".
      expect(retryAfter).toBeGreaterThan(60);
      await expect
        .poll(() => alert.textContent())
        .toBe(`Too many sign-in attempts. Try again in ${Math.ceil(retryAfter / 60)} minutes.`);
      expect(new URL(page.url()).pathname).toBe('/login');
    });
  });

  it('the access token stays out of web storage and readable cookies, and the auth cookies are HttpOnly', async () => {
    await journey(e2e, '7-token-storage-and-cookies', async (page, context) => {
      const tokens: string[] = [];
      page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        if (
          response.ok() &&
          (path.startsWith('/auth/sign-in') || path.startsWith('/auth/refresh'))
        ) {
          void response
            .json()
            .then(
              (body: { access_token?: string }) =>
                body.access_token && tokens.push(body.access_token),
            )
            .catch(() => {});
        }
      });
      const signIn = await signInAsAlice(page);
      const { access_token: accessToken } = (await signIn.json()) as { access_token: string };
      expect(accessToken.split('.')).toHaveLength(3);
      await expectDashboardFor(page, ALICE.username);
      // A reload refreshes: that answer's access token must stay in memory too.
      const refreshed = nextAuthResponse(page, '/auth/refresh/');
      await page.reload();
      expect((await refreshed).status()).toBe(200);
      await expectDashboardFor(page, ALICE.username);
      await expect.poll(() => tokens.length).toBeGreaterThanOrEqual(2);

      const readable = () =>
        page.evaluate(() => {
          const dump = (store: Storage) =>
            Array.from(
              { length: store.length },
              (_, i) => `${store.key(i)}=${store.getItem(store.key(i)!)}`,
            ).join('\n');
          return {
            local: dump(localStorage),
            session: dump(sessionStorage),
            cookie: document.cookie,
          };
        });
      const onDashboard = await readable();
      // The refresh and CSRF cookies are scoped to /auth: read document.cookie from a page there too.
      await page.goto(`${e2e.app.url}/auth/verify/`);
      const underAuth = await readable();
      for (const stores of [onDashboard, underAuth]) {
        for (const token of tokens) {
          expect(stores.local).not.toContain(token);
          expect(stores.session).not.toContain(token);
          expect(stores.cookie).not.toContain(token);
          // Not even the signature alone (a token split across entries).
          expect(`${stores.local}${stores.session}${stores.cookie}`).not.toContain(
            token.split('.')[2],
          );
        }
        for (const name of AUTH_COOKIES)
          expect(stores.cookie).not.toMatch(new RegExp(`(^|;\\s*)${name}=`));
      }

      const cookies = await context.cookies(cookieUrls());
      const byName = Object.fromEntries(cookies.map((c) => [c.name, c]));
      for (const name of AUTH_COOKIES) {
        expect(byName[name], `${name} is set`).toBeDefined();
        expect(byName[name], name).toMatchObject({ httpOnly: true, secure: true });
      }
      expect(byName.refresh_cookie).toMatchObject({ path: '/auth', sameSite: 'Strict' });
      expect(byName.CSRF_token).toMatchObject({ path: '/auth', sameSite: 'Strict' });
      expect(byName.session).toMatchObject({ path: '/', sameSite: 'Lax' });

      await page.goto(`${e2e.app.url}/dashboard`);
      await expectDashboardFor(page, ALICE.username);
    });
  });

  it('a next parameter pointing off-site signs in to the dashboard, never to another site', async () => {
    await journey(e2e, '8-open-redirect-guard', async (page) => {
      const offSite: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).hostname !== 'localhost') offSite.push(request.url());
      });
      const targets = [
        'https://evil.example',
        '//evil.example',
        '/\\evil.example',
        'https://evil.example/dashboard',
        // Dot segments and a tab that the browser's URL parser would turn into `//evil.example`.
        '/..//evil.example',
        '/\t/evil.example',
      ];
      for (const [index, next] of targets.entries()) {
        if (index > 0) {
          // Sign out before the next case, so that the sign-in form is what redirects.
          await page.getByRole('button', { name: 'Sign out', exact: true }).click();
          await page.waitForURL((url) => url.pathname === '/login', { waitUntil: 'commit' });
        }
        await signInAsAlice(page, `/login?next=${encodeURIComponent(next)}`);
        const failed = await page
          .waitForURL(`${e2e.app.url}/dashboard`, { waitUntil: 'commit' })
          .then(
            () => null,
            (error: Error) => error,
          );
        expect(offSite, `next=${next} sent the browser off-site`).toEqual([]);
        if (failed) throw failed;
        await expectDashboardFor(page, ALICE.username);
        expect(new URL(page.url()).origin, `next=${next}`).toBe(e2e.app.url);
      }
    });
  });

  it('what a user types while the page is still loading its code is kept, and signs in', async () => {
    await journey(e2e, '9-typed-before-hydration', async (page) => {
      // The page's scripts are held back until both fields are filled: the user types into the
      // server-rendered form, before React has hydrated it (a slow phone, a slow network).
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/_next\/static\/chunks\/.+\.js$/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${e2e.app.url}/login`, { waitUntil: 'domcontentloaded' });
      await page.getByLabel('Username').fill(ALICE.username);
      await page.getByLabel('Password').fill(ALICE.password);
      release();
      const submit = page.getByRole('button', { name: 'Sign in', exact: true });
      await expect.poll(() => submit.isEnabled(), { timeout: 15_000 }).toBe(true);
      // Hydration kept the fields' values (it used to render the form afresh, emptied).
      expect(await page.getByLabel('Username').inputValue()).toBe(ALICE.username);
      expect(await page.getByLabel('Password').inputValue()).toBe(ALICE.password);
      const answer = nextAuthResponse(page, '/auth/sign-in/');
      await submit.click();
      expect((await answer).status()).toBe(200);
      await expectDashboardFor(page, ALICE.username);
    });
  });
});
