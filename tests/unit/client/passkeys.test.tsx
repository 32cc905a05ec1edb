// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { describePasskeyError, needsReauthentication, type AuthClientErrorInfo } from '@/client';
import { FakePasskeyServer } from './fake-passkeys';
import { problem } from './fake-server';
import {
  ALICE,
  CSRF_KEY,
  installFakeBackend,
  renderAuth,
  renderSignedIn,
  stubWebLocks,
} from './harness';

// The mocked @simplewebauthn/browser: its factory runs on the module's first import, so
// `loads` counts loads. A "response" is `{ id, challenge }`: the credential and the challenge
// of the options it answers, which is what the fake server checks.
const webauthn = vi.hoisted(() => ({
  loads: 0,
  /** Loads of the kit's own passkey flows (src/client/passkeys.ts), also imported on first use. */
  flowLoads: 0,
  startRegistration: vi.fn(),
  startAuthentication: vi.fn(),
  cancelCeremony: vi.fn(),
}));
vi.mock('@simplewebauthn/browser', () => {
  webauthn.loads += 1;
  return {
    startRegistration: webauthn.startRegistration,
    startAuthentication: webauthn.startAuthentication,
    WebAuthnAbortService: { cancelCeremony: webauthn.cancelCeremony },
  };
});

vi.mock('@/client/passkeys', async (importOriginal) => {
  webauthn.flowLoads += 1;
  return importOriginal();
});

const server = installFakeBackend(() => new FakePasskeyServer());

/** A DOMException-like refusal as @simplewebauthn/browser passes it on (a WebAuthnError). */
function refusal(name: string, code = 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY'): Error {
  return Object.assign(new Error(`${name} from the browser`), { name, code });
}

/** This "browser" has WebAuthn, with or without passkeys in autofill. */
function stubWebAuthn({ autofill = true } = {}) {
  const credential = class {
    static isConditionalMediationAvailable = vi.fn(async () => autofill);
  };
  vi.stubGlobal('PublicKeyCredential', credential);
  Object.defineProperty(navigator, 'credentials', {
    configurable: true,
    value: { get: vi.fn(), create: vi.fn() },
  });
  return credential;
}

/** The authenticator answers each ceremony with the credential `id`, for the options it got. */
function authenticatorHolds(id: string) {
  webauthn.startAuthentication.mockImplementation(
    async ({ optionsJSON }: { optionsJSON: { challenge: string } }) => ({
      id,
      challenge: optionsJSON.challenge,
    }),
  );
  webauthn.startRegistration.mockImplementation(
    async ({ optionsJSON }: { optionsJSON: { challenge: string } }) => ({
      id,
      challenge: optionsJSON.challenge,
    }),
  );
}

beforeEach(() => {
  webauthn.startRegistration.mockReset();
  webauthn.startAuthentication.mockReset();
  webauthn.cancelCeremony.mockReset();
  stubWebAuthn();
});
afterEach(() => {
  delete (navigator as { credentials?: unknown }).credentials;
});

const others: BroadcastChannel[] = [];
function otherTab(): unknown[] {
  const channel = new BroadcastChannel('auth-kit');
  others.push(channel);
  const received: unknown[] = [];
  channel.onmessage = (event: MessageEvent) => received.push(event.data);
  return received;
}
afterEach(() => {
  for (const channel of others.splice(0)) channel.close();
});

// First in the file: once loaded, the module stays cached for the tests after it.
test('@simplewebauthn/browser is not loaded by mounting the provider, a password sign-in or the passkey list; the first ceremony loads it', async () => {
  const id = server().seedPasskey();
  const view = await renderSignedIn();
  // The provider carries only the members: the passkey calls come with the first one used.
  expect(webauthn.flowLoads).toBe(0);
  let listed: Awaited<ReturnType<typeof view.auth.listPasskeys>> | undefined;
  await act(async () => {
    listed = await view.auth.listPasskeys();
  });
  expect(listed).toMatchObject({ ok: true, value: [{ id, name: 'Laptop', last_used: null }] });
  expect(view.auth.passkeysSupported).toBe(true);
  expect(webauthn.flowLoads).toBe(1);
  expect(webauthn.loads).toBe(0);

  authenticatorHolds(id);
  await act(async () => {
    await view.auth.signOut();
    await view.auth.signInWithPasskey();
  });
  expect(webauthn.loads).toBe(1);
  expect(view.auth.status).toBe('authenticated');
});

describe('signInWithPasskey()', () => {
  test('asks for options, hands them to startAuthentication, and signs in exactly as a password sign-in does', async () => {
    const id = server().seedPasskey();
    // A password sign-in first, to compare the state it leaves with the passkey's.
    const password = await renderSignedIn();
    const afterPassword = { ...password.auth.user!, claims: undefined };
    await act(async () => {
      await password.auth.signOut();
    });
    password.unmount();

    const locks = stubWebLocks(server());
    const tab = otherTab();
    authenticatorHolds(id);
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signInWithPasskey>> | undefined;
    await act(async () => {
      result = await view.auth.signInWithPasskey();
    });

    expect(result).toEqual({ ok: true });
    const [options] = server().callsTo('/auth/passkeys/sign-in/options/');
    expect(options).toMatchObject({ method: 'POST', body: {} });
    const optionsJSON = webauthn.startAuthentication.mock.calls[0]![0].optionsJSON;
    expect(webauthn.startAuthentication).toHaveBeenCalledWith({
      optionsJSON,
      useBrowserAutofill: false,
    });
    const [signIn] = server().callsTo('/auth/passkeys/sign-in/');
    expect(signIn!.body).toEqual({ response: { id, challenge: optionsJSON.challenge } });
    // As a password sign-in: under the refresh lock, the token in memory, the CSRF token kept,
    // the same user, the other tabs told.
    expect(signIn!.lockHeld).toBe(true);
    expect(locks).toHaveBeenCalledWith('auth-kit.refresh', expect.any(Function));
    expect(view.auth.status).toBe('authenticated');
    expect(view.auth.getAccessToken()).toBe(server().lastAnswer!.access_token);
    expect(localStorage.getItem(CSRF_KEY)).toBe(server().lastAnswer!.CSRF_token);
    expect({ ...view.auth.user!, claims: undefined }).toEqual(afterPassword);
    expect(view.auth.error).toBeNull();
    expect(tab).toContainEqual({ type: 'signed-in' });
    expect(server().passkeys[0]!.last_used).not.toBeNull();
  });

  test('a closed prompt resolves passkey_cancelled, calmly worded, without touching the state or the server', async () => {
    webauthn.startAuthentication.mockRejectedValue(refusal('NotAllowedError'));
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signInWithPasskey>> | undefined;
    await act(async () => {
      result = await view.auth.signInWithPasskey();
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'passkey_cancelled', status: 0 } });
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.error).toBeNull();
    expect(server().callsTo('/auth/passkeys/sign-in/')).toHaveLength(0);
    const error = (result as { error: AuthClientErrorInfo }).error;
    expect(describePasskeyError(error)).toBe(
      'No passkey was used. You can try again, or sign in with your password.',
    );
  });

  test('a passkey the server does not know is a 401, reported in the state and in words', async () => {
    authenticatorHolds('cred-unknown');
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signInWithPasskey>> | undefined;
    await act(async () => {
      result = await view.auth.signInWithPasskey();
    });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'authentication_failed', status: 401, source: 'passkeys' },
    });
    expect(view.auth.status).toBe('unauthenticated');
    expect(view.auth.error).toMatchObject({ code: 'authentication_failed', source: 'sign-in' });
    expect(describePasskeyError((result as { error: AuthClientErrorInfo }).error)).toMatch(
      /not recognised here/,
    );
  });

  test('a throttled options request says when to come back, and no ceremony starts', async () => {
    server().next(
      '/auth/passkeys/sign-in/options/',
      problem(429, 'throttled', 'Too many sign-in attempts.', { 'Retry-After': '120' }),
    );
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signInWithPasskey>> | undefined;
    await act(async () => {
      result = await view.auth.signInWithPasskey();
    });

    const error = (result as { error: AuthClientErrorInfo }).error;
    expect(error).toMatchObject({ code: 'throttled', retryAfter: 120 });
    expect(describePasskeyError(error)).toBe('Too many attempts. Try again in 2 minutes.');
    expect(webauthn.startAuthentication).not.toHaveBeenCalled();
  });

  test('a browser without WebAuthn resolves passkey_unsupported and asks the server nothing', async () => {
    vi.stubGlobal('PublicKeyCredential', undefined);
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.signInWithPasskey>> | undefined;
    await act(async () => {
      result = await view.auth.signInWithPasskey();
    });

    expect(view.auth.passkeysSupported).toBe(false);
    expect(result).toMatchObject({ ok: false, error: { code: 'passkey_unsupported' } });
    expect(server().callsTo('/auth/passkeys/sign-in/options/')).toHaveLength(0);
  });
});

describe('startPasskeyAutofill()', () => {
  test('runs the conditional request, and a pick in the autofill signs in', async () => {
    const id = server().seedPasskey();
    authenticatorHolds(id);
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.startPasskeyAutofill>> | undefined;
    await act(async () => {
      result = await view.auth.startPasskeyAutofill();
    });

    expect(result).toEqual({ ok: true });
    expect(webauthn.startAuthentication).toHaveBeenCalledWith(
      expect.objectContaining({ useBrowserAutofill: true }),
    );
    expect(view.auth.status).toBe('authenticated');
  });

  test('aborting it (the user typed a password instead) cancels the ceremony and resolves passkey_cancelled', async () => {
    let rejectCeremony: (error: Error) => void = () => {};
    webauthn.startAuthentication.mockImplementation(
      () => new Promise((_, reject) => (rejectCeremony = reject)),
    );
    webauthn.cancelCeremony.mockImplementation(() =>
      rejectCeremony(refusal('AbortError', 'ERROR_CEREMONY_ABORTED')),
    );
    const view = renderAuth();
    const controller = new AbortController();
    let pending: Promise<unknown> | undefined;
    await act(async () => {
      pending = view.auth.startPasskeyAutofill({ signal: controller.signal });
      await vi.waitFor(() => expect(webauthn.startAuthentication).toHaveBeenCalled());
    });
    let result: unknown;
    await act(async () => {
      controller.abort();
      result = await pending;
    });

    expect(webauthn.cancelCeremony).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'passkey_cancelled' } });
    expect(server().callsTo('/auth/passkeys/sign-in/')).toHaveLength(0);
    expect(view.auth.error).toBeNull();
  });

  test('aborted before the options arrive, no ceremony starts', async () => {
    const view = renderAuth();
    const controller = new AbortController();
    controller.abort();
    let result: unknown;
    await act(async () => {
      result = await view.auth.startPasskeyAutofill({ signal: controller.signal });
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'passkey_cancelled' } });
    expect(webauthn.startAuthentication).not.toHaveBeenCalled();
  });

  test('an abort after a newer ceremony took over does not cancel the newer one', async () => {
    const id = server().seedPasskey();
    let rejectAutofill: (error: Error) => void = () => {};
    let finishButton: () => void = () => {};
    webauthn.startAuthentication
      .mockImplementationOnce(() => new Promise((_, reject) => (rejectAutofill = reject)))
      .mockImplementationOnce(
        ({ optionsJSON }: { optionsJSON: { challenge: string } }) =>
          new Promise((resolve) => {
            finishButton = () => resolve({ id, challenge: optionsJSON.challenge });
          }),
      );
    const view = renderAuth();
    const controller = new AbortController();
    let autofill: Promise<unknown> | undefined;
    await act(async () => {
      autofill = view.auth.startPasskeyAutofill({ signal: controller.signal });
      await vi.waitFor(() => expect(webauthn.startAuthentication).toHaveBeenCalledTimes(1));
    });
    await act(async () => {
      const button = view.auth.signInWithPasskey();
      await vi.waitFor(() => expect(webauthn.startAuthentication).toHaveBeenCalledTimes(2));
      // The library aborted the autofill's request itself as the button's started; the page's
      // own abort comes later (it unmounts, say) and must leave the button's prompt alone.
      rejectAutofill(refusal('AbortError', 'ERROR_CEREMONY_ABORTED'));
      controller.abort();
      expect(webauthn.cancelCeremony).not.toHaveBeenCalled();
      finishButton();
      expect(await button).toEqual({ ok: true });
    });

    expect(await autofill).toMatchObject({ ok: false, error: { code: 'passkey_cancelled' } });
    expect(view.auth.status).toBe('authenticated');
  });

  test('where the browser offers no passkeys in autofill, it resolves passkey_unsupported at once', async () => {
    stubWebAuthn({ autofill: false });
    const view = renderAuth();
    let result: unknown;
    await act(async () => {
      result = await view.auth.startPasskeyAutofill();
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'passkey_unsupported' } });
    expect(server().callsTo('/auth/passkeys/sign-in/options/')).toHaveLength(0);
    expect(view.auth.error).toBeNull();
  });
});

describe('registerPasskey(), listPasskeys(), deletePasskey()', () => {
  test('registers with the Bearer token and the name, lists it, and deletes it', async () => {
    authenticatorHolds('cred-new');
    const view = await renderSignedIn();
    let added: Awaited<ReturnType<typeof view.auth.registerPasskey>> | undefined;
    await act(async () => {
      added = await view.auth.registerPasskey('  Work laptop ');
    });

    expect(added).toMatchObject({ ok: true, value: { id: 'cred-new', name: 'Work laptop' } });
    const [options] = server().callsTo('/auth/passkeys/register/options/');
    expect(options!.headers.get('authorization')).toBe(`Bearer ${view.auth.getAccessToken()}`);
    expect(options!.body).toEqual({});
    const optionsJSON = webauthn.startRegistration.mock.calls[0]![0].optionsJSON;
    expect(webauthn.startRegistration).toHaveBeenCalledWith({ optionsJSON });
    expect(server().callsTo('/auth/passkeys/register/')[0]!.body).toEqual({
      response: { id: 'cred-new', challenge: optionsJSON.challenge },
      name: 'Work laptop',
    });

    let listed: Awaited<ReturnType<typeof view.auth.listPasskeys>> | undefined;
    await act(async () => {
      listed = await view.auth.listPasskeys();
    });
    expect(listed).toMatchObject({ ok: true, value: [{ id: 'cred-new', name: 'Work laptop' }] });

    let removed: Awaited<ReturnType<typeof view.auth.deletePasskey>> | undefined;
    await act(async () => {
      removed = await view.auth.deletePasskey('cred-new');
    });
    expect(removed).toEqual({ ok: true, value: { detail: 'The passkey is deleted.' } });
    expect(server().callsTo('/auth/passkeys/delete/')[0]!.body).toEqual({ id: 'cred-new' });
    expect(server().passkeys).toEqual([]);
  });

  test('without a name the body has none (the server names it), and a device that has one already is passkey_exists', async () => {
    authenticatorHolds('cred-a');
    const view = await renderSignedIn();
    await act(async () => {
      await view.auth.registerPasskey();
    });
    expect(server().callsTo('/auth/passkeys/register/')[0]!.body).not.toHaveProperty('name');
    expect(server().passkeys[0]!.name).toBe('Passkey');

    webauthn.startRegistration.mockRejectedValue(
      refusal('InvalidStateError', 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED'),
    );
    let again: Awaited<ReturnType<typeof view.auth.registerPasskey>> | undefined;
    await act(async () => {
      again = await view.auth.registerPasskey('Again');
    });
    const error = (again as { error: AuthClientErrorInfo }).error;
    expect(error).toMatchObject({ code: 'passkey_exists', source: 'passkeys' });
    expect(describePasskeyError(error, 'register')).toMatch(/already has a passkey/);
    expect(server().callsTo('/auth/passkeys/register/')).toHaveLength(1);
  });

  test('a closed registration prompt registers nothing and says nothing changed', async () => {
    webauthn.startRegistration.mockRejectedValue(refusal('NotAllowedError'));
    const view = await renderSignedIn();
    let result: Awaited<ReturnType<typeof view.auth.registerPasskey>> | undefined;
    await act(async () => {
      result = await view.auth.registerPasskey('Phone');
    });
    const error = (result as { error: AuthClientErrorInfo }).error;
    expect(error.code).toBe('passkey_cancelled');
    expect(describePasskeyError(error, 'register')).toBe(
      'The passkey prompt was closed. Nothing was changed.',
    );
    expect(server().callsTo('/auth/passkeys/register/')).toHaveLength(0);
    expect(view.auth.status).toBe('authenticated');
  });

  test('deleting a passkey that is gone is not_found, worded as already removed', async () => {
    const view = await renderSignedIn();
    let result: Awaited<ReturnType<typeof view.auth.deletePasskey>> | undefined;
    await act(async () => {
      result = await view.auth.deletePasskey('cred-gone');
    });
    const error = (result as { error: AuthClientErrorInfo }).error;
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
    expect(describePasskeyError(error, 'remove')).toBe('This passkey was already removed.');
  });

  test('signed out, the calls resolve token_not_valid without a request', async () => {
    const view = renderAuth();
    let result: Awaited<ReturnType<typeof view.auth.listPasskeys>> | undefined;
    await act(async () => {
      result = await view.auth.listPasskeys();
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'token_not_valid' } });
    expect(server().callsTo('/auth/passkeys/')).toHaveLength(0);
  });
});

describe('reauthenticate()', () => {
  test('a stale sign-in asks to confirm (needsReauthentication); the password confirms, with new tokens, and the action then passes', async () => {
    authenticatorHolds('cred-r');
    const view = await renderSignedIn();
    server().recent = false;
    let refused: Awaited<ReturnType<typeof view.auth.registerPasskey>> | undefined;
    await act(async () => {
      refused = await view.auth.registerPasskey('Phone');
    });
    const error = (refused as { error: AuthClientErrorInfo }).error;
    expect(needsReauthentication(error)).toBe(true);
    expect(webauthn.startRegistration).not.toHaveBeenCalled();

    let wrong: Awaited<ReturnType<typeof view.auth.reauthenticate>> | undefined;
    await act(async () => {
      wrong = await view.auth.reauthenticate({ password: 'not it' });
    });
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', errors: { password: ['The password is not correct.'] } },
    });

    const before = view.auth.getAccessToken();
    let confirmed: Awaited<ReturnType<typeof view.auth.reauthenticate>> | undefined;
    await act(async () => {
      confirmed = await view.auth.reauthenticate({ password: ALICE.password });
    });
    expect(confirmed).toEqual({ ok: true });
    expect(server().callsTo('/auth/reauthenticate/').at(-1)!.body).toEqual({
      password: ALICE.password,
    });
    expect(view.auth.getAccessToken()).toBe(server().lastAnswer!.access_token);
    expect(view.auth.getAccessToken()).not.toBe(before);

    let added: Awaited<ReturnType<typeof view.auth.registerPasskey>> | undefined;
    await act(async () => {
      added = await view.auth.registerPasskey('Phone');
    });
    expect(added).toMatchObject({ ok: true, value: { name: 'Phone' } });
  });

  test('a passkey confirms too: options, the assertion, then POST /auth/reauthenticate/ { response }', async () => {
    const id = server().seedPasskey();
    authenticatorHolds(id);
    const view = await renderSignedIn();
    server().recent = false;
    let confirmed: Awaited<ReturnType<typeof view.auth.reauthenticate>> | undefined;
    await act(async () => {
      confirmed = await view.auth.reauthenticate({ passkey: true });
    });
    expect(confirmed).toEqual({ ok: true });
    const optionsJSON = webauthn.startAuthentication.mock.calls[0]![0].optionsJSON;
    expect(server().callsTo('/auth/reauthenticate/')[0]!.body).toEqual({
      response: { id, challenge: optionsJSON.challenge },
    });
    expect(server().recent).toBe(true);
  });
});

describe('describePasskeyError() and needsReauthentication()', () => {
  const error = (code: string, extra: Partial<AuthClientErrorInfo> = {}): AuthClientErrorInfo => ({
    source: 'passkeys',
    code,
    detail: 'raw detail',
    status: 400,
    ...extra,
  });

  test('words every passkey outcome for people, never the raw text of a browser error', () => {
    expect(describePasskeyError(error('passkey_unsupported'))).toMatch(/password instead/);
    expect(describePasskeyError(error('passkey_unsupported'), 'register')).toMatch(
      /another browser or device/,
    );
    expect(describePasskeyError(error('passkey_failed'))).toMatch(/could not use the passkey/);
    expect(describePasskeyError(error('not_found'))).toBe(
      'Passkeys are not available on this server.',
    );
    expect(describePasskeyError(error('network_error'))).toMatch(/could not reach the server/);
    expect(
      describePasskeyError(
        error('invalid_request', { errors: { response: ['This registration has expired.'] } }),
        'register',
      ),
    ).toBe('This registration has expired.');
    expect(
      describePasskeyError(error('client_error', { detail: 'TypeError: x is undefined' })),
    ).toBe('Something went wrong. Try again in a moment.');
  });

  test('needsReauthentication() is a 400 with errors.password, and nothing else', () => {
    expect(
      needsReauthentication(
        error('invalid_request', { errors: { password: ['Enter your password to confirm.'] } }),
      ),
    ).toBe(true);
    expect(
      needsReauthentication(error('invalid_request', { errors: { name: ['Too long.'] } })),
    ).toBe(false);
    expect(needsReauthentication(error('token_not_valid'))).toBe(false);
    expect(needsReauthentication(null)).toBe(false);
  });
});
