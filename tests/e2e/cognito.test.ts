import { expect, it } from 'vitest';
import { describeInBrowser } from '../support/browser';
import { expectDashboardFor, journey, nextAuthResponse, useAppAndBrowser } from './steps';

const IDP_USER = {
  username: 'cora',
  password: 'cora-idp-password-1',
  email: 'cora@example.com',
  emailVerified: true,
  givenName: 'Cora',
  familyName: 'Cognito',
};

describeInBrowser('Cognito journey through the local IdP in Chromium', () => {
  // The local IdP runs in this process, registered for http://localhost:<app port>/callback.
  const e2e = useAppAndBrowser({ idpUsers: [IDP_USER] });

  it('a user signs in through the hosted UI with PKCE and lands on the page asked for as the IdP user', async () => {
    await journey(e2e, '3-cognito-sign-in', async (page, context) => {
      const { app } = e2e;
      const idpOrigin = new URL(app.idp!.url).origin;
      const visited: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });

      // Signed out, a protected page with a query sends the visitor to /login with `next`.
      await page.goto(`${app.url}/dashboard?tab=3`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.getByRole('button', { name: 'Continue with Cognito' }).click();

      // The hosted UI: a PKCE S256 authorization request for the app's registered callback.
      await page.waitForURL(
        (url) => url.origin === idpOrigin && url.pathname === '/oauth2/authorize',
      );
      const authorize = new URL(page.url());
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('client_id')).toBe(app.idp!.clientId);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${app.url}/callback`);
      await page.getByLabel('Username').fill(IDP_USER.username);
      await page.getByLabel('Password').fill(IDP_USER.password);
      const exchange = nextAuthResponse(page, '/auth/social-exchange/', 20_000);
      await page.getByRole('button', { name: 'Sign in' }).click();

      // Back on /callback: the code exchange at the IdP, then the social exchange at the kit.
      expect((await exchange).status()).toBe(200);
      // The PKCE state carried `next` through the hosted UI: back to the page and query asked for.
      await page.waitForURL(`${app.url}/dashboard?tab=3`, { waitUntil: 'commit' });
      await expectDashboardFor(page, IDP_USER.username);

      const callback = visited
        .map((url) => new URL(url))
        .find((url) => url.origin === app.url && url.pathname === '/callback');
      expect(callback, `went through /callback: ${visited.join(' → ')}`).toBeDefined();
      expect(callback!.searchParams.get('code')).toBeTruthy();
      // The kit's own session now: the refresh cookie under /auth.
      expect((await context.cookies(`${app.url}/auth/`)).map((c) => c.name)).toContain(
        'refresh_cookie',
      );
      // The PKCE state was consumed and the IdP's tokens were not kept in web storage.
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...localStorage, ...sessionStorage }),
      );
      expect(stored).not.toMatch(/id_token|access_token|code_verifier/);
    });
  });
});

describeInBrowser('Cognito with an unreachable identity provider', () => {
  // Nothing listens on port 9 (discard) here: the discovery fetch fails at once.
  const deadIdp = 'http://127.0.0.1:9';
  const e2e = useAppAndBrowser({
    env: {
      COGNITO_USER_POOL_ID: 'us-east-1_Unreachable',
      COGNITO_CLIENT_ID: 'unreachable-client',
      COGNITO_REGION: 'us-east-1',
      COGNITO_AUTHORITY: deadIdp,
      COGNITO_DOMAIN: deadIdp,
      AUTH_IDP_JWKS_URL: `${deadIdp}/.well-known/jwks.json`,
    },
  });

  it('"Continue with Cognito" shows why it cannot start instead of doing nothing', async () => {
    await journey(e2e, '3-cognito-unreachable', async (page) => {
      // The passkey autofill's request is held in flight while the Cognito sign-in fails: the
      // failure must not cancel the page's other requests (oidc-client-ts stops the window when
      // a prepared redirect fails), which the autofill would report as "could not reach the server".
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let asked = () => {};
      const autofillAsked = new Promise<void>((resolve) => (asked = resolve));
      await page.route('**/auth/passkeys/sign-in/options/', async (route) => {
        asked();
        await held;
        await route.continue().catch(() => undefined); // cancelled by the page: the test says so below
      });
      const cancelled: string[] = [];
      page.on('requestfailed', (request) => {
        if (new URL(request.url()).origin === e2e.app.url) cancelled.push(request.url());
      });
      await page.goto(`${e2e.app.url}/login`);
      await autofillAsked;
      await page.getByRole('button', { name: 'Continue with Cognito' }).click();
      const alert = page.locator('#login-error');
      await alert.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await alert.textContent()).toMatch(/Could not reach the identity provider/);
      release();
      expect(cancelled.filter((url) => url.includes('/auth/'))).toEqual([]);
      await expect.poll(() => alert.textContent()).toMatch(/Could not reach the identity provider/);
      expect(new URL(page.url()).pathname).toBe('/login');
    });
  });
});
