// @vitest-environment happy-dom
import { act, render, renderHook } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { AuthProvider, useAuth, type AuthContextValue, type ClientIdpSettings } from '@/client';
import { installFakeBackend } from './harness';

installFakeBackend();

describe('useAuth()', () => {
  test('outside <AuthProvider> it throws an error that names the provider', () => {
    // React logs the error thrown during render; keep the test output clean.
    vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(() => renderHook(() => useAuth())).toThrow(
      'useAuth() must be used inside <AuthProvider>',
    );
  });
});

describe('<AuthProvider> members', () => {
  const idp = (clientId: string): ClientIdpSettings => ({
    provider: 'aws',
    authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
    clientId,
    domain: null,
  });

  test('keep their identity when the layout renders again with equal settings (effects that use them do not restart)', async () => {
    const seen: AuthContextValue[] = [];
    function Probe() {
      seen.push(useAuth());
      return null;
    }
    const tree = (settings: ClientIdpSettings) => (
      <AuthProvider idp={settings}>
        <Probe />
      </AuthProvider>
    );
    const view = render(tree(idp('client-123')));
    await act(async () => {}); // the first refresh settles
    const before = seen.at(-1)!;

    // A router.refresh() hands the provider a new object with the same settings.
    view.rerender(tree(idp('client-123')));
    const after = seen.at(-1)!;
    for (const name of [
      'startPasskeyAutofill',
      'listPasskeys',
      'getAccount',
      'signInWithCognito',
    ] as const)
      expect(after[name], name).toBe(before[name]);

    // Other settings are other members.
    view.rerender(tree(idp('client-456')));
    expect(seen.at(-1)!.signInWithCognito).not.toBe(before.signInWithCognito);
  });
});
