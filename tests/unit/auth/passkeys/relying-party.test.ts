import { describe, expect, it } from 'vitest';
import { NotFound } from '@/auth/errors';
import {
  passkeyRelyingParty,
  passkeysAvailable,
  requireRelyingParty,
} from '@/auth/passkeys/relying-party';

const config = (appUrl: string | null) => ({ appUrl, logLevel: 'silent' as const });

describe('the passkeys relying party from AUTH_APP_URL', () => {
  it.each([
    ['https://app.example.com', { rpID: 'app.example.com', origin: 'https://app.example.com' }],
    ['http://localhost:4123', { rpID: 'localhost', origin: 'http://localhost:4123' }],
  ])('is the host of %s', (appUrl, expected) => {
    expect(passkeyRelyingParty(config(appUrl))).toMatchObject(expected);
    expect(passkeysAvailable(config(appUrl))).toBe(true);
  });

  it.each([
    ['no AUTH_APP_URL', null],
    ['an IP address', 'http://127.0.0.1:3000'],
    ['an IPv6 address', 'https://[::1]:3000'],
    ['plain http off localhost', 'http://app.example.com'],
  ])('is absent for %s: the ceremonies answer 404', (_, appUrl) => {
    expect(passkeyRelyingParty(config(appUrl))).toBeNull();
    expect(passkeysAvailable(config(appUrl))).toBe(false);
    expect(() => requireRelyingParty(config(appUrl))).toThrow(NotFound);
  });
});
