import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccount } from '@/auth/accounts/account';
import { AuthenticationFailed, EmailNotVerified, InvalidRequest, NotFound } from '@/auth/errors';
import {
  deleteOwnPasskey,
  listOwnPasskeys,
  passkeyRegistrationOptions,
  registerPasskey,
} from '@/auth/passkeys/manage';
import { passkeySignIn, passkeySignInOptions } from '@/auth/passkeys/sign-in';
import { passwordSignIn } from '@/auth/services/sign-in';
import type { AccessTokenClaims } from '@/auth/tokens/types';
import { updateUser } from '@/db/queries/users';
import { authChallenges, passkeys } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';
import { refusal, signedIn, stepStart, turnOnTotp } from '../support/second-factors';
import { SoftAuthenticator } from '../support/soft-authenticator';

/** The kit's relying party in the flows: AUTH_APP_URL is https://app.kit.test (tests/support/keys.ts). */
const ORIGIN = 'https://app.kit.test';
const RP_ID = 'app.kit.test';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('passkeys at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  /** Registers a passkey for the session at `now`: the authenticator and the list entry. */
  async function register(
    claims: AccessTokenClaims,
    now: Date,
    { counting = true, name }: { counting?: boolean; name?: string } = {},
  ) {
    const authenticator = new SoftAuthenticator(ORIGIN, RP_ID, counting);
    const options = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      now,
    );
    const view = await registerPasskey(
      kit.ctx,
      claims,
      { response: authenticator.register(options), name },
      kit.client,
      now,
    );
    return { authenticator, view };
  }

  /** A passkey sign-in response from `authenticator` to fresh options at `now`. */
  async function assertion(
    authenticator: SoftAuthenticator,
    now: Date,
    overrides: Parameters<SoftAuthenticator['authenticate']>[1] = {},
  ) {
    const options = await passkeySignInOptions(kit.ctx, kit.client, now);
    return { options, response: authenticator.authenticate(options, overrides) };
  }

  const signInWith = (response: unknown, now: Date) =>
    passkeySignIn(kit.ctx, { response }, kit.client, now);

  it('offers discoverable, user-verifying registration options and stores the challenge as a hash', async () => {
    const t0 = stepStart();
    const { user, claims } = await signedIn(kit, 'pk-options', t0);
    const options = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      t0,
    );
    expect(options).toMatchObject({
      rp: { id: RP_ID },
      user: { name: 'pk-options', id: Buffer.from(String(user.id)).toString('base64url') },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      timeout: 300_000,
      excludeCredentials: [],
    });
    const [row] = await kit.ctx.db
      .select()
      .from(authChallenges)
      .where(eq(authChallenges.tokenHash, sha256(options.challenge)));
    expect(row).toMatchObject({ purpose: 'webauthn_register', userId: user.id, usedAt: null });
    expect(row!.expiresAt).toEqual(later(t0, 300));
    // A stale session needs the password (adding a way into the account is a sensitive change).
    const stale = await refusal(
      passkeyRegistrationOptions(
        kit.ctx,
        claims,
        { password: undefined },
        kit.client,
        later(t0, 301),
      ),
    );
    expect((stale as InvalidRequest).errors?.password).toBeDefined();
    await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: 'pk-options-password-1' },
      kit.client,
      later(t0, 301),
    );
  });

  it('registers a passkey: listed with its name, no key material, passkey.added; the next options exclude it', async () => {
    const t0 = stepStart();
    const { user, claims } = await signedIn(kit, 'pk-register', t0);
    const { authenticator, view } = await register(claims, t0, { name: '  MacBook  ' });
    expect(view).toEqual({
      id: authenticator.id,
      name: 'MacBook',
      created: t0.toISOString(),
      last_used: null,
    });
    expect(await listOwnPasskeys(kit.ctx, claims, t0)).toEqual([view]);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'passkey.added',
      userId: user.id,
      sid: claims.sid,
    });
    expect((await readAccount(kit.ctx, claims, t0)).mfa.passkeys).toBe(1);
    const [row] = await kit.ctx.db.select().from(passkeys).where(eq(passkeys.id, authenticator.id));
    expect(row).toMatchObject({ userId: user.id, counter: 0, transports: ['internal'] });
    const next = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      t0,
    );
    expect(next.excludeCredentials).toEqual([
      { id: authenticator.id, type: 'public-key', transports: ['internal'] },
    ]);
    // Unnamed: "Passkey".
    expect((await register(claims, t0)).view.name).toBe('Passkey');
  });

  it('uses a registration challenge once, for 5 minutes, for its own user only', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'pk-challenge', t0);
    const { claims: other } = await signedIn(kit, 'pk-challenge-other', t0);
    const authenticator = new SoftAuthenticator(ORIGIN, RP_ID);
    const options = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      t0,
    );
    const response = authenticator.register(options);
    const problem = async (promise: Promise<unknown>) =>
      ((await refusal(promise)) as InvalidRequest).errors?.response?.[0];
    expect(
      await problem(registerPasskey(kit.ctx, other, { response, name: undefined }, kit.client, t0)),
    ).toMatch(/expired or was used/);
    expect(
      await problem(
        registerPasskey(kit.ctx, claims, { response, name: undefined }, kit.client, later(t0, 300)),
      ),
    ).toMatch(/expired or was used/);
    const fresh = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      t0,
    );
    const good = authenticator.register(fresh);
    await registerPasskey(
      kit.ctx,
      claims,
      { response: good, name: undefined },
      kit.client,
      later(t0, 299),
    );
    expect(
      await problem(
        registerPasskey(kit.ctx, claims, { response: good, name: undefined }, kit.client, t0),
      ),
    ).toMatch(/expired or was used/);
  });

  it('refuses a registration without user verification, for another origin, or malformed', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'pk-bad-register', t0);
    const attempt = async (
      build: (options: Awaited<ReturnType<typeof passkeyRegistrationOptions>>) => unknown,
    ) => {
      const options = await passkeyRegistrationOptions(
        kit.ctx,
        claims,
        { password: undefined },
        kit.client,
        t0,
      );
      return refusal(
        registerPasskey(
          kit.ctx,
          claims,
          { response: build(options), name: undefined },
          kit.client,
          t0,
        ),
      );
    };
    const authenticator = new SoftAuthenticator(ORIGIN, RP_ID);
    for (const error of [
      await attempt((o) => authenticator.register(o, { userVerified: false })),
      await attempt((o) => authenticator.register(o, { origin: 'https://evil.example' })),
      await attempt((o) => authenticator.register(o, { rpID: 'evil.example' })),
      await attempt(() => ({ id: 'x', response: { clientDataJSON: 'e30' } })),
      await attempt(() => ({})),
    ]) {
      expect(error).toBeInstanceOf(InvalidRequest);
      expect((error as InvalidRequest).errors?.response).toHaveLength(1);
    }
    expect(await listOwnPasskeys(kit.ctx, claims, t0)).toEqual([]);
  });

  it('signs in with a discoverable passkey exactly as sign-in: amr hwk+user, last use and counter stored', async () => {
    const t0 = stepStart();
    const { user, claims } = await signedIn(kit, 'pk-sign-in', t0);
    const { authenticator } = await register(claims, t0);
    const t1 = later(t0, 3600);
    const { options, response } = await assertion(authenticator, t1);
    expect(options).toMatchObject({ rpId: RP_ID, userVerification: 'required', timeout: 300_000 });
    expect(options.allowCredentials ?? []).toEqual([]);
    const done = await signInWith(response, t1);
    expect(decodeJwt(done.accessToken)).toMatchObject({
      user_id: user.id,
      amr: ['hwk', 'user'],
      auth_time: t1.getTime() / 1000,
    });
    expect(done.device).toMatchObject({ userId: user.id });
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.success',
      userId: user.id,
      sid: done.sid,
    });
    const [row] = await kit.ctx.db.select().from(passkeys).where(eq(passkeys.id, authenticator.id));
    expect(row).toMatchObject({ counter: 1, lastUsedAt: t1 });
    expect((await listOwnPasskeys(kit.ctx, claims, t1))[0]!.last_used).toBe(t1.toISOString());
    // The same response again: its challenge is used.
    expect(await refusal(signInWith(response, t1))).toBeInstanceOf(AuthenticationFailed);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.failure',
      reason: 'passkey_challenge',
    });
  });

  it('applies the sign-in rules of a password: an unverified self-registered address is 403 email_not_verified, an inactive user 401', async () => {
    const t0 = stepStart();
    const { user, claims, password } = await signedIn(kit, 'pk-unverified', t0);
    const { authenticator } = await register(claims, t0);
    // As a sign-up made while requireEmailVerification was off leaves an account once it is on.
    await updateUser(kit.ctx.db, user.id, { selfRegistered: true, emailVerified: false });
    const t1 = later(t0, 60);
    const byPassword = await refusal(
      passwordSignIn(kit.ctx, { username: 'pk-unverified', password }, kit.client, t1),
    );
    expect(byPassword).toBeInstanceOf(EmailNotVerified);
    const { response } = await assertion(authenticator, t1);
    const byPasskey = await refusal(signInWith(response, t1));
    expect(byPasskey).toBeInstanceOf(EmailNotVerified);
    expect((byPasskey as EmailNotVerified).status).toBe(403);
    expect(byPasskey.message).toBe(byPassword.message);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.failure',
      userId: user.id,
      reason: 'email_not_verified',
    });
    // Verified, it signs in; deactivated, it is the usual 401.
    await updateUser(kit.ctx.db, user.id, { emailVerified: true });
    await signInWith((await assertion(authenticator, later(t1, 1))).response, later(t1, 1));
    await updateUser(kit.ctx.db, user.id, { isActive: false });
    const inactive = await refusal(
      signInWith((await assertion(authenticator, later(t1, 2))).response, later(t1, 2)),
    );
    expect(inactive).toBeInstanceOf(AuthenticationFailed);
    expect(kit.events.at(-1)).toMatchObject({ type: 'sign_in.failure', reason: 'inactive' });
  });

  it('needs no second step for a user with TOTP on: a passkey is multi-factor on its own', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'pk-totp', t0);
    await turnOnTotp(kit, claims, t0);
    const { authenticator } = await register(claims, t0);
    const done = await signInWith((await assertion(authenticator, t0)).response, t0);
    expect(decodeJwt(done.accessToken).amr).toEqual(['hwk', 'user']);
    const password = await passwordSignIn(
      kit.ctx,
      { username: 'pk-totp', password: 'pk-totp-password-1' },
      kit.client,
      t0,
    );
    expect(password.secondStep).toBeDefined();
  });

  it('checks the counter where the authenticator keeps one, and accepts a synced passkey that reports 0', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'pk-counter', t0);
    const counting = (await register(claims, t0)).authenticator;
    await signInWith((await assertion(counting, t0)).response, t0); // counter 1
    await signInWith((await assertion(counting, t0)).response, t0); // counter 2
    for (const counter of [2, 1, 0]) {
      expect(
        await refusal(signInWith((await assertion(counting, t0, { counter })).response, t0)),
      ).toBeInstanceOf(AuthenticationFailed);
      expect(kit.events.at(-1)).toMatchObject({
        type: 'sign_in.failure',
        reason: 'passkey_counter',
      });
    }
    await signInWith((await assertion(counting, t0, { counter: 7 })).response, t0);
    const synced = (await register(claims, t0, { counting: false })).authenticator;
    for (let i = 0; i < 3; i++)
      await signInWith((await assertion(synced, later(t0, i))).response, later(t0, i));
  });

  it('refuses an expired challenge, a forged or foreign response, and an unknown passkey alike', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'pk-refusals', t0);
    const { claims: otherClaims } = await signedIn(kit, 'pk-refusals-other', t0);
    const { authenticator } = await register(claims, t0);
    const other = (await register(otherClaims, t0)).authenticator;
    const expired = await assertion(authenticator, t0);
    const cases: [string, unknown][] = [
      ['passkey_challenge', expired.response],
      ['passkey_invalid', (await assertion(authenticator, t0, { tamperSignature: true })).response],
      [
        'passkey_invalid',
        (await assertion(authenticator, t0, { origin: 'https://evil.example' })).response,
      ],
      ['passkey_invalid', (await assertion(authenticator, t0, { userVerified: false })).response],
      [
        'passkey_invalid',
        (await assertion(authenticator, t0, { type: 'webauthn.create' })).response,
      ],
      [
        'passkey_invalid',
        (
          await assertion(authenticator, t0, {
            userHandle: Buffer.from(String(otherClaims.user_id)).toString('base64url'),
          })
        ).response,
      ],
      [
        'passkey_unknown_credential',
        (await assertion(new SoftAuthenticator(ORIGIN, RP_ID), t0)).response,
      ],
      ['passkey_malformed', { id: 'not base64url!', response: {} }],
      ['passkey_malformed', 'text'],
    ];
    for (const [reason, response] of cases) {
      const now = reason === 'passkey_challenge' ? later(t0, 300) : t0;
      const error = await refusal(signInWith(response, now));
      expect(error, reason).toBeInstanceOf(AuthenticationFailed);
      expect(error.message).toBe(
        'The passkey could not be verified. Try again, or sign in another way.',
      );
      expect(kit.events.at(-1)).toMatchObject({ type: 'sign_in.failure', reason });
    }
    // The other user's own passkey still works: the refusals touched nothing of theirs.
    await signInWith((await assertion(other, t0)).response, t0);
  });

  it("deletes only the caller's own passkeys, with a recent session or the password; a deleted passkey signs in no more", async () => {
    const t0 = stepStart();
    const { user, claims } = await signedIn(kit, 'pk-delete', t0);
    const { claims: otherClaims } = await signedIn(kit, 'pk-delete-other', t0);
    const { authenticator, view } = await register(claims, t0);
    const theirs = (await register(otherClaims, t0)).view;
    expect(
      await refusal(
        deleteOwnPasskey(kit.ctx, claims, { id: theirs.id, password: undefined }, kit.client, t0),
      ),
    ).toBeInstanceOf(NotFound);
    const stale = later(t0, 301);
    const needsPassword = await refusal(
      deleteOwnPasskey(kit.ctx, claims, { id: view.id, password: undefined }, kit.client, stale),
    );
    expect((needsPassword as InvalidRequest).errors?.password).toEqual([
      'Enter your password to confirm.',
    ]);
    await deleteOwnPasskey(
      kit.ctx,
      claims,
      { id: view.id, password: 'pk-delete-password-1' },
      kit.client,
      stale,
    );
    expect(kit.events.at(-1)).toMatchObject({ type: 'passkey.removed', userId: user.id });
    expect(await listOwnPasskeys(kit.ctx, claims, stale)).toEqual([]);
    expect(await listOwnPasskeys(kit.ctx, otherClaims, stale)).toEqual([theirs]);
    expect(
      await refusal(signInWith((await assertion(authenticator, stale)).response, stale)),
    ).toBeInstanceOf(AuthenticationFailed);
    expect(
      await refusal(
        deleteOwnPasskey(
          kit.ctx,
          claims,
          { id: view.id, password: 'pk-delete-password-1' },
          kit.client,
          stale,
        ),
      ),
    ).toBeInstanceOf(NotFound);
  });
});
