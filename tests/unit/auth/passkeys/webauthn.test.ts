import { describe, expect, it } from 'vitest';
import {
  CHALLENGE_TTL_SECONDS,
  authenticationOptions,
  describeAuthenticationResponse,
  describeRegistrationResponse,
  registrationOptions,
  relyingParty,
  userHandle,
  verifyAuthentication,
  verifyRegistration,
  type RelyingParty,
  type StoredCredential,
} from '@/auth/passkeys/webauthn';
import { SoftAuthenticator } from '../../../support/soft-authenticator';

const rp = relyingParty('http://localhost:3000', 'Auth Kit');
const USER = { id: 42, username: 'alice', displayName: 'Alice Example' };

describe('relyingParty', () => {
  it('takes the RP id from the hostname and the origin from scheme, host and port', () => {
    expect(relyingParty('https://auth.example.com/some/path?x=1')).toEqual({
      rpID: 'auth.example.com',
      rpName: 'auth.example.com',
      origin: 'https://auth.example.com',
    });
    expect(relyingParty('https://Example.COM:8443/', 'Example')).toEqual({
      rpID: 'example.com',
      rpName: 'Example',
      origin: 'https://example.com:8443',
    });
  });

  it('allows plain http on localhost and its subdomains only', () => {
    expect(relyingParty('http://localhost:3000')).toEqual({
      rpID: 'localhost',
      rpName: 'localhost',
      origin: 'http://localhost:3000',
    });
    expect(relyingParty('http://app.localhost:4000').rpID).toBe('app.localhost');
    expect(() => relyingParty('http://example.com')).toThrow(/https/);
    expect(() => relyingParty('ftp://example.com')).toThrow(/https/);
  });

  it('refuses an IP address, as WebAuthn does, pointing at localhost', () => {
    for (const url of [
      'http://127.0.0.1:3000',
      'https://10.1.2.3',
      'https://192.168.0.1:8443',
      'http://[::1]:3000',
      'https://[2001:db8::1]/',
      'http://127.1:3000',
    ])
      expect(() => relyingParty(url)).toThrow(/IP address.*localhost/);
  });

  it('refuses something that is not an absolute URL', () => {
    expect(() => relyingParty('localhost:3000/x')).toThrow();
    expect(() => relyingParty('/auth')).toThrow(/absolute URL/);
    expect(() => relyingParty('')).toThrow(/absolute URL/);
  });
});

describe('registrationOptions', () => {
  const existing = [
    { id: 'Y3JlZGVudGlhbC1vbmU', transports: ['internal', 'hybrid'] },
    { id: 'Y3JlZGVudGlhbC10d28', transports: null },
  ];

  it('asks for a discoverable, user-verifying credential without attestation', async () => {
    const options = await registrationOptions({ rp, user: USER, existing });
    expect(options.rp).toEqual({ name: 'Auth Kit', id: 'localhost' });
    expect(options.user).toEqual({
      id: Buffer.from('42').toString('base64url'),
      name: 'alice',
      displayName: 'Alice Example',
    });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    });
    expect(options.attestation).toBe('none');
    expect(options.timeout).toBe(CHALLENGE_TTL_SECONDS * 1000);
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual(expect.arrayContaining([-7, -257]));
  });

  it('excludes the passkeys the user already has', async () => {
    const options = await registrationOptions({ rp, user: USER, existing });
    expect(options.excludeCredentials).toEqual([
      { id: existing[0]!.id, type: 'public-key', transports: ['internal', 'hybrid'] },
      { id: existing[1]!.id, type: 'public-key' },
    ]);
    const none = await registrationOptions({ rp, user: USER, existing: [] });
    expect(none.excludeCredentials).toEqual([]);
  });

  it('has a fresh random challenge of at least 16 bytes each time', async () => {
    const challenges = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await registrationOptions({ rp, user: USER, existing })).challenge,
      ),
    );
    expect(new Set(challenges).size).toBe(20);
    for (const challenge of challenges) {
      expect(challenge).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(challenge, 'base64url').length).toBeGreaterThanOrEqual(16);
    }
  });

  it('uses the user id, not the username, as the user handle', () => {
    expect(Buffer.from(userHandle(42)).toString()).toBe('42');
    expect(Buffer.from(userHandle(42))).toEqual(Buffer.from(userHandle(42)));
  });
});

describe('authenticationOptions', () => {
  it('lists no credentials (discoverable) and requires user verification', async () => {
    const options = await authenticationOptions(rp);
    expect(options.rpId).toBe('localhost');
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.timeout).toBe(CHALLENGE_TTL_SECONDS * 1000);
    expect(Buffer.from(options.challenge, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect((await authenticationOptions(rp)).challenge).not.toBe(options.challenge);
  });

  it("lists one user's passkeys when asked to (re-authentication)", async () => {
    const options = await authenticationOptions(rp, [{ id: 'Y3JlZA', transports: ['usb'] }]);
    expect(options.allowCredentials).toEqual([
      { id: 'Y3JlZA', type: 'public-key', transports: ['usb'] },
    ]);
  });
});

/** Registers a software authenticator and returns it with the credential the kit would store. */
async function registered(
  party: RelyingParty = rp,
  counting = true,
): Promise<{ authenticator: SoftAuthenticator; stored: StoredCredential }> {
  const authenticator = new SoftAuthenticator(party.origin, party.rpID, counting);
  const options = await registrationOptions({ rp: party, user: USER, existing: [] });
  const result = await verifyRegistration({
    response: authenticator.register(options),
    expectedChallenge: options.challenge,
    rp: party,
  });
  if (!result.ok) throw new Error(`registration failed: ${result.reason}`);
  const { id, publicKey, counter, transports } = result.credential;
  return { authenticator, stored: { id, publicKey, counter, transports } };
}

describe('verifyRegistration', () => {
  it('accepts a genuine registration and returns what to store', async () => {
    const authenticator = new SoftAuthenticator(rp.origin, rp.rpID);
    const options = await registrationOptions({ rp, user: USER, existing: [] });
    const result = await verifyRegistration({
      response: authenticator.register(options),
      expectedChallenge: options.challenge,
      rp,
    });
    expect(result).toMatchObject({
      ok: true,
      credential: {
        id: authenticator.id,
        counter: 0,
        transports: ['internal'],
        deviceType: 'singleDevice',
        backedUp: false,
        aaguid: '00000000-0000-0000-0000-000000000000',
      },
    });
    if (result.ok) expect(result.credential.publicKey.length).toBeGreaterThan(60);
  });

  it('refuses a response to another challenge, origin, RP or ceremony, or without user verification', async () => {
    const options = await registrationOptions({ rp, user: USER, existing: [] });
    const cases = [
      { challenge: Buffer.from('another challenge').toString('base64url') },
      { origin: 'http://localhost:3001' },
      { origin: 'https://evil.example' },
      { rpID: 'evil.example' },
      { type: 'webauthn.get' },
      { userVerified: false },
    ];
    for (const overrides of cases) {
      const response = new SoftAuthenticator(rp.origin, rp.rpID).register(options, overrides);
      const result = await verifyRegistration({
        response,
        expectedChallenge: options.challenge,
        rp,
      });
      expect(result, JSON.stringify(overrides)).toMatchObject({
        ok: false,
        reason: expect.any(String),
      });
    }
  });

  it('answers ok: false, without throwing, for a malformed body', async () => {
    for (const response of [
      null,
      undefined,
      'x',
      42,
      {},
      { id: 'a', rawId: 'a', type: 'public-key' },
      { response: null },
    ])
      expect(await verifyRegistration({ response, expectedChallenge: 'abc', rp })).toMatchObject({
        ok: false,
      });
  });
});

describe('verifyAuthentication', () => {
  it('accepts a genuine sign-in and reports the new counter and user verification', async () => {
    const { authenticator, stored } = await registered();
    const options = await authenticationOptions(rp);
    const result = await verifyAuthentication({
      response: authenticator.authenticate(options),
      expectedChallenge: options.challenge,
      rp,
      credential: stored,
      userId: USER.id,
    });
    expect(result).toEqual({
      ok: true,
      newCounter: 1,
      userVerified: true,
      backedUp: false,
      deviceType: 'singleDevice',
    });
  });

  it('refuses a bad challenge cleanly', async () => {
    const { authenticator, stored } = await registered();
    const options = await authenticationOptions(rp);
    const other = await authenticationOptions(rp);
    const result = await verifyAuthentication({
      response: authenticator.authenticate(options),
      expectedChallenge: other.challenge,
      rp,
      credential: stored,
    });
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid',
      detail: expect.stringMatching(/challenge/),
    });
  });

  it('refuses another origin, RP id or ceremony type, and a missing user verification', async () => {
    const { authenticator, stored } = await registered();
    for (const overrides of [
      { origin: 'https://evil.example' },
      { origin: 'http://localhost:3001' },
      { rpID: 'evil.example' },
      { type: 'webauthn.create' },
      { userVerified: false },
    ]) {
      const options = await authenticationOptions(rp);
      const result = await verifyAuthentication({
        response: authenticator.authenticate(options, overrides),
        expectedChallenge: options.challenge,
        rp,
        credential: stored,
      });
      expect(result, JSON.stringify(overrides)).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it("refuses a changed signature, and another credential's key", async () => {
    const { authenticator, stored } = await registered();
    const other = await registered();
    let options = await authenticationOptions(rp);
    expect(
      await verifyAuthentication({
        response: authenticator.authenticate(options, { tamperSignature: true }),
        expectedChallenge: options.challenge,
        rp,
        credential: stored,
      }),
    ).toMatchObject({ ok: false, reason: 'invalid' });
    options = await authenticationOptions(rp);
    // The response names its own credential: checked against another one's record, it is refused.
    expect(
      await verifyAuthentication({
        response: authenticator.authenticate(options),
        expectedChallenge: options.challenge,
        rp,
        credential: other.stored,
      }),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
      detail: expect.stringMatching(/another credential/),
    });
    // The same id with another key (a forged record or a forged response): the signature fails.
    expect(
      await verifyAuthentication({
        response: authenticator.authenticate(options),
        expectedChallenge: options.challenge,
        rp,
        credential: { ...stored, publicKey: other.stored.publicKey },
      }),
    ).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it("refuses a user handle that is not the owner's", async () => {
    const { authenticator, stored } = await registered();
    const options = await authenticationOptions(rp);
    const response = authenticator.authenticate(options, {
      userHandle: Buffer.from(userHandle(43)).toString('base64url'),
    });
    expect(
      await verifyAuthentication({
        response,
        expectedChallenge: options.challenge,
        rp,
        credential: stored,
        userId: 42,
      }),
    ).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/user handle/) });
  });

  it('refuses a counter that did not increase, when the authenticator keeps one', async () => {
    const { authenticator, stored } = await registered();
    for (const [storedCounter, reported] of [
      [5, 5],
      [5, 4],
      [5, 0],
      [1, 1],
    ] as [number, number][]) {
      const options = await authenticationOptions(rp);
      const result = await verifyAuthentication({
        response: authenticator.authenticate(options, { counter: reported }),
        expectedChallenge: options.challenge,
        rp,
        credential: { ...stored, counter: storedCounter },
      });
      expect(result, `${storedCounter} → ${reported}`).toMatchObject({
        ok: false,
        reason: 'counter',
        detail: `the signature counter went from ${storedCounter} to ${reported}`,
      });
    }
    const options = await authenticationOptions(rp);
    expect(
      await verifyAuthentication({
        response: authenticator.authenticate(options, { counter: 6 }),
        expectedChallenge: options.challenge,
        rp,
        credential: { ...stored, counter: 5 },
      }),
    ).toMatchObject({ ok: true, newCounter: 6 });
  });

  it('accepts an authenticator that keeps no counter (always 0), as synced passkeys do', async () => {
    const { authenticator, stored } = await registered(rp, false);
    for (let i = 0; i < 3; i++) {
      const options = await authenticationOptions(rp);
      expect(
        await verifyAuthentication({
          response: authenticator.authenticate(options),
          expectedChallenge: options.challenge,
          rp,
          credential: stored,
        }),
      ).toMatchObject({ ok: true, newCounter: 0 });
    }
  });

  it('calls a counter problem "invalid", not "counter", when the signature does not verify', async () => {
    const { authenticator, stored } = await registered();
    const options = await authenticationOptions(rp);
    expect(
      await verifyAuthentication({
        response: authenticator.authenticate(options, { counter: 1, tamperSignature: true }),
        expectedChallenge: options.challenge,
        rp,
        credential: { ...stored, counter: 9 },
      }),
    ).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('answers invalid, without throwing, for a malformed body', async () => {
    const { stored } = await registered();
    for (const response of [
      null,
      'x',
      {},
      { id: stored.id },
      { id: stored.id, rawId: stored.id, type: 'public-key', response: {} },
      {
        id: stored.id,
        rawId: stored.id,
        type: 'public-key',
        response: { clientDataJSON: 'not json' },
      },
    ])
      expect(
        await verifyAuthentication({ response, expectedChallenge: 'abc', rp, credential: stored }),
      ).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('describeAuthenticationResponse', () => {
  it('reads the credential id, challenge and user handle before any check', async () => {
    const { authenticator } = await registered();
    const options = await authenticationOptions(rp);
    expect(describeAuthenticationResponse(authenticator.authenticate(options))).toEqual({
      credentialId: authenticator.id,
      challenge: options.challenge,
      userHandle: Buffer.from('42').toString('base64url'),
    });
    expect(
      describeAuthenticationResponse(authenticator.authenticate(options, { userHandle: null })),
    ).toMatchObject({ userHandle: null });
  });

  it('is null for a body that is not a sign-in response', () => {
    const clientData = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const response of [
      null,
      'x',
      {},
      { id: '' },
      { id: 'abc', response: {} },
      { id: 'abc', response: { clientDataJSON: 'bm90IGpzb24' } },
      { id: 'abc', response: { clientDataJSON: clientData(null) } },
      { id: 'abc', response: { clientDataJSON: clientData({ challenge: 5 }) } },
    ])
      expect(describeAuthenticationResponse(response)).toBeNull();
  });
});

describe('describeRegistrationResponse', () => {
  it('reads the credential id and the challenge before any check', async () => {
    const authenticator = new SoftAuthenticator(rp.origin, rp.rpID);
    const options = await registrationOptions({
      rp,
      user: { id: 42, username: 'ada', displayName: 'Ada' },
      existing: [],
    });
    expect(describeRegistrationResponse(authenticator.register(options))).toEqual({
      credentialId: authenticator.id,
      challenge: options.challenge,
    });
  });

  it('is null for a body that is not one, or an id no browser sends (it never reaches a query)', () => {
    const clientData = Buffer.from(
      JSON.stringify({ challenge: 'Y2hhbGxlbmdlLWNoYWxsZW5nZQ' }),
    ).toString('base64url');
    for (const response of [
      null,
      {},
      { id: 'abc', response: {} },
      { id: 'a b', response: { clientDataJSON: clientData } },
      { id: 'abc\u0000', response: { clientDataJSON: clientData } },
      { id: 'x'.repeat(1365), response: { clientDataJSON: clientData } },
      { id: 7, response: { clientDataJSON: clientData } },
    ])
      expect(describeRegistrationResponse(response)).toBeNull();
    expect(
      describeRegistrationResponse({ id: 'abc', response: { clientDataJSON: clientData } }),
    ).not.toBeNull();
    expect(
      describeAuthenticationResponse({ id: 'a/b', response: { clientDataJSON: clientData } }),
    ).toBeNull();
  });
});
