// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import type { ClientIdpSettings } from '@/client';
import { ALICE, renderAuth, installFakeBackend } from './harness';

// vi.mock factories run on the module's first import, so counting them counts loads.
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('oidc-client-ts', () => {
  loads.count += 1;
  return { UserManager: class {}, WebStorageStateStore: class {}, InMemoryWebStorage: class {} };
});

installFakeBackend();

const idp: ClientIdpSettings = {
  provider: 'aws',
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
  clientId: 'client-123',
  domain: null,
};

test('oidc-client-ts is not loaded by mounting the provider or by a password sign-in', async () => {
  const view = renderAuth({ idp });
  await act(async () => {
    await view.auth.signIn(ALICE.username, ALICE.password);
  });

  expect(view.auth.status).toBe('authenticated');
  expect(view.auth.cognitoEnabled).toBe(true);
  expect(loads.count).toBe(0);
});
