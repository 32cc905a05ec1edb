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

const CAROL = { username: 'carol', password: 'carol-password-123' };
/** The provider refreshes 30 s before expiry: a 40 s access token makes its timer fire ~10 s after each refresh. */
const ACCESS_TOKEN_LIFETIME_SECONDS = 40;

describeInBrowser('two tabs of one browser in Chromium', () => {
  const e2e = useAppAndBrowser({
    users: [CAROL],
    env: { AUTH_ACCESS_TOKEN_LIFETIME: String(ACCESS_TOKEN_LIFETIME_SECONDS) },
  });

  const isRefresh = (request: { url(): string }) =>
    new URL(request.url()).pathname.startsWith('/auth/refresh');
  const bothSignedIn = (pages: Page[]) =>
    Promise.all(pages.map((page) => expectDashboardFor(page, CAROL.username, 15_000)));

  it(
    'refreshes in two tabs at once never sign the user out, and signing out in one tab signs out the other',
    { timeout: 120_000 },
    async () => {
      await journey(e2e, '6-two-tabs', async (first, context) => {
        const { app } = e2e;
        const refreshStatuses: number[] = [];
        context.on('response', (response) => {
          if (new URL(response.url()).pathname.startsWith('/auth/refresh'))
            refreshStatuses.push(response.status());
        });
        await first.goto(`${app.url}/login`);
        await submitPasswordForm(first, CAROL.username, CAROL.password);
        await expectDashboardFor(first, CAROL.username);
        const second = await context.newPage();
        await second.goto(`${app.url}/dashboard`);
        const tabs = [first, second];
        await bothSignedIn(tabs);

        // Reload both tabs at the same moment, five times; each time both come back signed in.
        for (let round = 0; round < 5; round += 1) {
          await Promise.all(tabs.map((page) => page.reload()));
          await bothSignedIn(tabs);
        }
        // Then a burst: as soon as both tabs have sent their refresh, reload both again, so the
        // browser drops answers the server has already rotated the cookie for.
        for (let round = 0; round < 5; round += 1) {
          const sent = tabs.map((page) => page.waitForRequest(isRefresh));
          await Promise.all(tabs.map((page) => page.reload({ waitUntil: 'commit' })));
          await Promise.all(sent);
        }
        await bothSignedIn(tabs);

        // The provider's own timer refreshes both tabs ahead of expiry, with no reload.
        const timed = await Promise.all(
          tabs.map((page) =>
            nextAuthResponse(page, '/auth/refresh/', (ACCESS_TOKEN_LIFETIME_SECONDS + 5) * 1000),
          ),
        );
        expect(timed.map((response) => response.status())).toEqual([200, 200]);
        await bothSignedIn(tabs);
        expect(refreshStatuses.length).toBeGreaterThanOrEqual(12);
        expect(
          refreshStatuses.filter((status) => status !== 200),
          `refresh answers: ${refreshStatuses.join(' ')}`,
        ).toEqual([]);

        // Signing out in the first tab reaches the second within a few seconds.
        const logoff = nextAuthResponse(first, '/auth/logoff/');
        await first.getByRole('button', { name: 'Sign out', exact: true }).click();
        expect((await logoff).status()).toBe(200);
        await first.waitForURL((url) => url.pathname === '/login', { waitUntil: 'commit' });
        // The second tab shows the signed-out state within a few seconds, then goes to /login.
        await second
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Sign in' })
          .waitFor({ timeout: 5_000 });
        await second.waitForURL((url) => url.pathname === '/login', { waitUntil: 'commit' });
        await second.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      });
    },
  );
});
