import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ARTIFACTS_DIR, describeInBrowser } from '../support/browser';
import {
  expectDashboardFor,
  journey,
  nextAuthResponse,
  submitPasswordForm,
  useAppAndBrowser,
} from './steps';

const PASSWORD = 'passkey-password-123';
const USERS = ['pia', 'quinn', 'rosa'].map((username) => ({ username, password: PASSWORD }));

/** The phone-sized viewport of the mobile screenshots. */
const MOBILE = { width: 390, height: 844 };

/**
 * Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain) on this page: a
 * platform authenticator that keeps discoverable credentials and verifies the user, answering
 * every prompt at once as if the user touched it.
 */
async function addVirtualAuthenticator(
  context: BrowserContext,
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * A screenshot of one element (the account page's security section) into tests/artifacts/e2e/,
 * with the sticky navigation out of the way.
 */
async function shoot(page: Page, selector: string, name: string): Promise<void> {
  await page
    .locator(selector)
    .screenshot({
      path: join(ARTIFACTS_DIR, `${name}.png`),
      style: 'header { position: static !important; }',
    })
    .catch((error: Error) => console.warn(`[e2e] no screenshot for ${name}: ${error.message}`));
}

const SIGN_IN_OPTIONS = '/auth/passkeys/sign-in/options/';

/**
 * Opens the sign-in page with its autofill request held back. Chromium's virtual authenticator
 * answers a conditional (autofill) request at once with a passkey it holds, as if the user had
 * picked it in the username field's list, so a journey that means the button must keep the
 * autofill from getting there first: the page's first options request (the autofill's, sent on
 * load) waits until `release()`, which the journey calls after clicking the button (the click
 * stops the autofill, so the late options are dropped).
 */
async function openLoginHoldingAutofill(page: Page, url: string): Promise<() => Promise<void>> {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  await page.route(`**${SIGN_IN_OPTIONS}`, async (route) => {
    if (first) {
      first = false;
      await held;
    }
    // The page may have navigated away meanwhile: the request is gone then, which is fine.
    await route.continue().catch(() => undefined);
  });
  const autofillAsked = page.waitForRequest((r) => new URL(r.url()).pathname === SIGN_IN_OPTIONS);
  await page.goto(`${url}/login`);
  await autofillAsked;
  return async () => release();
}

/**
 * Passkeys in Chromium with its virtual authenticator. WebAuthn refuses IP addresses, so the app
 * is opened at http://localhost:<port> and AUTH_APP_URL names that origin (the relying party).
 */
describeInBrowser('passkey journeys in Chromium', () => {
  const e2e = useAppAndBrowser({ users: USERS, env: (url) => ({ AUTH_APP_URL: url }) });

  async function signInToAccount(page: Page, username: string): Promise<void> {
    await page.goto(`${e2e.app.url}/login?next=/account`);
    expect((await submitPasswordForm(page, username, PASSWORD)).status()).toBe(200);
    await page.getByTestId('account-username').waitFor();
  }

  async function addPasskey(page: Page, name: string): Promise<void> {
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    const registered = nextAuthResponse(page, '/auth/passkeys/register/');
    await page.getByRole('button', { name: 'Create passkey' }).click();
    expect((await registered).status()).toBe(201);
    await page.getByTestId('passkey-name').filter({ hasText: name }).waitFor();
  }

  async function signOut(page: Page): Promise<void> {
    const logoff = nextAuthResponse(page, '/auth/logoff/');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Sign out', exact: true })
      .click();
    expect((await logoff).status()).toBe(200);
  }

  /** The claims /api/me answers for this tab's access token, from the dashboard's developer panel. */
  async function apiClaims(page: Page): Promise<Record<string, unknown>> {
    await page.getByTestId('developer-panel').locator('summary').click();
    await page.getByRole('button', { name: 'Call protected API' }).click();
    const text = (await page.getByTestId('api-answer').textContent()) ?? '';
    expect(text.startsWith('200 ')).toBe(true);
    return (JSON.parse(text.slice(4)) as { claims: Record<string, unknown> }).claims;
  }

  it('a user adds a passkey on the account page, signs out, signs in with the passkey button (amr hwk+user), sees it used, and removes it', async () => {
    await journey(e2e, 'passkeys-1-add-sign-in-remove', async (page, context) => {
      const { cdp, authenticatorId } = await addVirtualAuthenticator(context, page);

      await page.goto(`${e2e.app.url}/login`);
      const username = page.getByLabel('Username');
      // Chromium offers passkeys in the field's autofill only with "webauthn" in autocomplete.
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      expect(await username.getAttribute('autocomplete')).toBe('username webauthn');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'passkeys-login.png'), fullPage: true });
      await page.setViewportSize(MOBILE);
      await page.screenshot({
        path: join(ARTIFACTS_DIR, 'passkeys-login-mobile.png'),
        fullPage: true,
      });
      await page.setViewportSize({ width: 1280, height: 720 });

      await page.goto(`${e2e.app.url}/login?next=/account`);
      expect((await submitPasswordForm(page, 'pia', PASSWORD)).status()).toBe(200);
      await page.getByTestId('account-username').waitFor();
      await page.getByTestId('no-passkeys').waitFor();

      // A sign-in this recent confirms the addition: no password is asked.
      await addPasskey(page, 'Test laptop');
      const row = page.getByTestId('passkey').filter({ hasText: 'Test laptop' });
      expect(await row.getByTestId('passkey-last-used').textContent()).toBe('Never used yet');
      expect(await row.textContent()).toMatch(/Added \w/);
      await page.getByText('“Test laptop” is added.').waitFor();
      const stored = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(stored.credentials).toHaveLength(1);
      expect(stored.credentials[0]!.isResidentCredential).toBe(true);
      await shoot(page, '#security', 'passkeys-account-security');
      await page.setViewportSize(MOBILE);
      await shoot(page, '#security', 'passkeys-account-security-mobile');
      await page.setViewportSize({ width: 1280, height: 720 });

      await signOut(page);
      const release = await openLoginHoldingAutofill(page, e2e.app.url);
      const signedIn = nextAuthResponse(page, '/auth/passkeys/sign-in/');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await release();
      const answer = await signedIn;
      expect(answer.status()).toBe(200);
      // Answered exactly as a password sign-in: the tokens in the body, the cookies set.
      const body = (await answer.json()) as { access_token: string; CSRF_token: string };
      expect(typeof body.CSRF_token).toBe('string');
      expect(decodeJwt(body.access_token).amr).toEqual(['hwk', 'user']);
      await expectDashboardFor(page, 'pia');
      await page.getByText('Passkey', { exact: true }).waitFor();
      const claims = await apiClaims(page);
      expect(claims.amr).toEqual(['hwk', 'user']);
      expect(claims.username).toBe('pia');
      await page.screenshot({
        path: join(ARTIFACTS_DIR, 'passkeys-signed-in.png'),
        fullPage: true,
      });

      // A reload keeps the session, as after a password sign-in (the refresh cookie was set).
      await page.reload();
      await expectDashboardFor(page, 'pia');

      await page.goto(`${e2e.app.url}/account`);
      const used = page.getByTestId('passkey').filter({ hasText: 'Test laptop' });
      await used
        .getByTestId('passkey-last-used')
        .filter({ hasText: 'Last used just now' })
        .waitFor();

      // Removing asks first; "Keep it" keeps it.
      await used.getByRole('button', { name: 'Remove' }).click();
      await used.getByRole('button', { name: 'Keep it' }).click();
      expect(await page.getByTestId('passkey').count()).toBe(1);
      await used.getByRole('button', { name: 'Remove' }).click();
      await shoot(page, '#passkeys', 'passkeys-remove-confirmation');
      const removed = nextAuthResponse(page, '/auth/passkeys/delete/');
      await used.getByRole('button', { name: 'Remove passkey' }).click();
      expect((await removed).status()).toBe(200);
      await page.getByTestId('no-passkeys').waitFor();
      await page.getByText('“Test laptop” is removed.').waitFor();

      // The authenticator still holds it, but the server has forgotten it: signing in with it
      // is refused, in words.
      await signOut(page);
      const releaseAgain = await openLoginHoldingAutofill(page, e2e.app.url);
      const refused = nextAuthResponse(page, '/auth/passkeys/sign-in/');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await releaseAgain();
      expect((await refused).status()).toBe(401);
      await page.getByText('That passkey is not recognised here').waitFor();
    });
  });

  it('a user who closes the browser prompt sees a calm notice, not an error', async () => {
    await journey(e2e, 'passkeys-2-cancelled-prompt', async (page, context) => {
      // An authenticator that refuses user verification: Chromium answers NotAllowedError, as
      // for a closed prompt.
      const { cdp, authenticatorId } = await addVirtualAuthenticator(context, page);
      await signInToAccount(page, 'quinn');
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByRole('button', { name: 'Create passkey' }).click();
      const notice = page.locator('#passkeys-message');
      await notice.waitFor();
      expect(await notice.textContent()).toContain(
        'The passkey prompt was closed. Nothing was changed.',
      );
      expect(await notice.getAttribute('role')).toBe('status');
      await page.getByTestId('no-passkeys').waitFor();

      await signOut(page);
      await page.goto(`${e2e.app.url}/login`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      const loginNotice = page.locator('#login-notice');
      await loginNotice.waitFor();
      expect(await loginNotice.textContent()).toContain('No passkey was used.');
      expect(await page.locator('#login-error').count()).toBe(0);
    });
  });

  it('with a passkey on the device, the username field’s autofill signs in without a click, and a password sign-in stops the autofill request', async () => {
    await journey(e2e, 'passkeys-4-autofill', async (page, context) => {
      await addVirtualAuthenticator(context, page);
      // No passkey yet: the autofill request waits in the background, and signing in with the
      // password instead stops it (only the password sign-in reaches the server).
      const passkeySignIns: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/auth/passkeys/sign-in/')
          passkeySignIns.push(request.url());
      });
      const autofillAsked = page.waitForRequest(
        (r) => new URL(r.url()).pathname === SIGN_IN_OPTIONS,
      );
      await page.goto(`${e2e.app.url}/login?next=/account`);
      await autofillAsked;
      // Conditional mediation is on in headless Chromium (the login page asks the browser first,
      // and loads @simplewebauthn/browser and asks for options only when it is).
      expect(
        await page.evaluate(() =>
          (
            PublicKeyCredential as unknown as {
              isConditionalMediationAvailable(): Promise<boolean>;
            }
          ).isConditionalMediationAvailable(),
        ),
      ).toBe(true);
      expect((await submitPasswordForm(page, 'rosa', PASSWORD)).status()).toBe(200);
      await page.getByTestId('account-username').waitFor();
      expect(passkeySignIns).toEqual([]);

      await addPasskey(page, 'Autofill');
      await signOut(page);

      // With a passkey on the device, the autofill request is answered by the authenticator as
      // if the user picked it in the username field's list: signed in, no button pressed.
      const signedIn = nextAuthResponse(page, '/auth/passkeys/sign-in/');
      await page.goto(`${e2e.app.url}/login`);
      const answer = await signedIn;
      expect(answer.status()).toBe(200);
      expect(
        decodeJwt(((await answer.json()) as { access_token: string }).access_token).amr,
      ).toEqual(['hwk', 'user']);
      await expectDashboardFor(page, 'rosa');
      expect(passkeySignIns).toHaveLength(1);
    });
  });
});

describeInBrowser('passkeys with a stale sign-in in Chromium', () => {
  // Two seconds of "recent sign-in": every addition and removal here asks to confirm first.
  const e2e = useAppAndBrowser({
    users: [{ username: 'sam', password: PASSWORD }],
    env: (url) => ({ AUTH_APP_URL: url, AUTH_REAUTH_MAX_AGE: '2' }),
  });

  it('adding and removing a passkey ask for the password (a wrong one is refused in words), or a passkey, then go on', async () => {
    await journey(e2e, 'passkeys-3-reauthenticate', async (page, context) => {
      await addVirtualAuthenticator(context, page);
      await page.goto(`${e2e.app.url}/login?next=/account`);
      expect((await submitPasswordForm(page, 'sam', PASSWORD)).status()).toBe(200);
      await page.getByTestId('account-username').waitFor();
      await page.waitForTimeout(2_500);

      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Phone');
      await page.getByRole('button', { name: 'Create passkey' }).click();
      await page.getByText('Confirm it’s you').waitFor();
      await page.getByLabel('Your password').fill('not-the-password');
      const wrong = nextAuthResponse(page, '/auth/reauthenticate/');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      expect((await wrong).status()).toBe(400);
      await page.getByText('The password is not correct.').waitFor();
      await shoot(page, '#passkeys', 'passkeys-confirm-password');

      await page.getByLabel('Your password').fill(PASSWORD);
      const right = nextAuthResponse(page, '/auth/reauthenticate/');
      const registered = nextAuthResponse(page, '/auth/passkeys/register/');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      expect((await right).status()).toBe(200);
      expect((await registered).status()).toBe(201);
      await page.getByTestId('passkey-name').filter({ hasText: 'Phone' }).waitFor();

      await page.waitForTimeout(2_500);
      const row = page.getByTestId('passkey').filter({ hasText: 'Phone' });
      await row.getByRole('button', { name: 'Remove' }).click();
      await row.getByRole('button', { name: 'Remove passkey' }).click();
      await page.getByText('Confirm it’s you').waitFor();
      // Confirmed with the passkey itself this time (POST /auth/reauthenticate/ { response }).
      const withPasskey = nextAuthResponse(page, '/auth/reauthenticate/');
      const removed = nextAuthResponse(page, '/auth/passkeys/delete/');
      await page.getByRole('button', { name: 'Use a passkey instead' }).click();
      const reauthenticated = await withPasskey;
      expect(reauthenticated.status()).toBe(200);
      const { access_token } = (await reauthenticated.json()) as { access_token: string };
      expect(decodeJwt(access_token).amr).toEqual(expect.arrayContaining(['pwd', 'hwk']));
      expect((await removed).status()).toBe(200);
      await page.getByTestId('no-passkeys').waitFor();
    });
  });
});
