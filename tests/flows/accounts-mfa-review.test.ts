import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestEmailChange, resendVerification, verifyEmail } from '@/auth/accounts/email';
import {
  changePassword,
  confirmPasswordReset,
  requestPasswordReset,
} from '@/auth/accounts/password';
import { signUp } from '@/auth/accounts/sign-up';
import { accountCreationFloorMs } from '@/auth/accounts/timing';
import { InvalidRequest, InvalidToken, Throttled, TokenNotValid } from '@/auth/errors';
import { matchTotpCode, secretBox } from '@/auth/mfa/codes';
import { confirmTotp, setupTotp } from '@/auth/mfa/factor';
import { reauthenticate } from '@/auth/mfa/reauthenticate';
import { verifySecondStep } from '@/auth/mfa/second-step';
import { totpCode } from '@/auth/mfa/totp';
import { passkeyRegistrationOptions, registerPasskey } from '@/auth/passkeys/manage';
import { passkeySignInOptions } from '@/auth/passkeys/sign-in';
import { checkIdentity, loadSessionUser } from '@/auth/services/current-user';
import { updateProfile } from '@/auth/services/profile';
import { passwordSignIn, signIn } from '@/auth/services/sign-in';
import { createUser, setUserPassword } from '@/auth/services/users';
import { logoffAll } from '@/auth/sessions/end';
import { confirmTotpFactor, findTotpFactor } from '@/db/queries/mfa';
import { passkeys, signInAttempts, users } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';
import {
  GOOD_PASSWORD,
  claimsOf,
  composed,
  refusal,
  signedInByLink,
  startAccountsKit,
  tokenIn,
} from '../support/accounts';
import { signedIn, stepStart, turnOnTotp } from '../support/second-factors';
import { SoftAuthenticator } from '../support/soft-authenticator';

// Findings of review r1 (accounts and second factors), each at a frozen clock: what a new password
// or a log-off everywhere ends, who the account throttles hold back, and bad input that reached
// the database.
const anonymous = { address: null, userAgent: 'flows' };

describe('review r1: taking the account back ends what the old state gave out', () => {
  let kit: TestKit;
  const t0 = stepStart();
  beforeAll(async () => {
    kit = await startAccountsKit({}, { throttle: 'username=5/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  /** An owner with a verified address and TOTP on, and a session of theirs a thief has stolen. */
  async function owner(name: string) {
    const password = `${name}-secret-pass`;
    const user = await createUser(kit.ctx.db, {
      username: name,
      password,
      email: `${name}@example.com`,
      emailVerified: true,
    });
    const stolen = claimsOf(await signIn(kit.ctx, { username: name, password }, anonymous, t0));
    const { secret } = await turnOnTotp(kit, stolen, t0);
    return { user, password, stolen, secret };
  }

  /** The thief asks, with the stolen session, for the address to become theirs: the link. */
  async function thiefAsksForAddress(stolen: ReturnType<typeof claimsOf>, name: string) {
    const outbox = await requestEmailChange(
      kit.ctx,
      stolen,
      { newEmail: `${name}-thief@evil.example`, password: undefined },
      anonymous,
      later(t0, 10),
    );
    const mail = outbox.find((m) => m.kind === 'email_change_confirm');
    return tokenIn(await composed(kit.ctx, mail), '/verify-email');
  }

  /** A second step the thief (who has the password, phished) started: its `mfa_token`. */
  async function thiefStartsSignIn(name: string, password: string) {
    const step = await passwordSignIn(kit.ctx, { username: name, password }, anonymous, t0);
    expect(step.secondStep).toBeDefined();
    return step.secondStep!.mfaToken;
  }

  const rowOf = async (id: number) =>
    (await kit.ctx.db.select().from(users).where(eq(users.id, id)))[0]!;

  /** The thief's link and second step, both dead; the address still the owner's. */
  async function expectThiefLockedOut(
    o: Awaited<ReturnType<typeof owner>>,
    link: string,
    mfaToken: string,
  ) {
    const at = later(t0, 60);
    expect(await refusal(verifyEmail(kit.ctx, link, anonymous, at))).toBeInstanceOf(InvalidToken);
    expect(
      await refusal(
        verifySecondStep(kit.ctx, { mfaToken, code: totpCode(o.secret, at) }, anonymous, at),
      ),
    ).toBeInstanceOf(TokenNotValid);
    const row = await rowOf(o.user.id);
    expect(row.email).toBe(`${o.user.username}@example.com`);
    expect(row.emailVerified).toBe(true);
  }

  it("the CLI's set-password ends the sessions, the thief's e-mail change link and the pending second step", async () => {
    const o = await owner('cli-owner');
    const link = await thiefAsksForAddress(o.stolen, 'cli-owner');
    const mfaToken = await thiefStartsSignIn('cli-owner', o.password);
    const { revokedSessions } = await setUserPassword(
      kit.ctx.db,
      'cli-owner',
      'operator-chosen-secret-77',
    );
    expect(revokedSessions).toBe(1);
    await expectThiefLockedOut(o, link, mfaToken);
  });

  it('a password change ends an mfa_token issued before it', async () => {
    const o = await owner('change-owner');
    const link = await thiefAsksForAddress(o.stolen, 'change-owner');
    const mfaToken = await thiefStartsSignIn('change-owner', o.password);
    const own = claimsOf(
      await verifySecondStep(
        kit.ctx,
        {
          mfaToken: await thiefStartsSignIn('change-owner', o.password),
          code: totpCode(o.secret, later(t0, 30)),
        },
        anonymous,
        later(t0, 30),
      ),
    );
    await changePassword(
      kit.ctx,
      own,
      { currentPassword: o.password, newPassword: 'ocean-lantern-5521' },
      anonymous,
      later(t0, 35),
    );
    await expectThiefLockedOut(o, link, mfaToken);
  });

  it('a password reset ends an mfa_token issued before it', async () => {
    const o = await owner('reset-owner');
    const link = await thiefAsksForAddress(o.stolen, 'reset-owner');
    const mfaToken = await thiefStartsSignIn('reset-owner', o.password);
    const outbox = await requestPasswordReset(
      kit.ctx,
      'reset-owner@example.com',
      anonymous,
      later(t0, 20),
    );
    const reset = tokenIn(await composed(kit.ctx, outbox[0]), '/reset-password');
    await confirmPasswordReset(
      kit.ctx,
      { token: reset, password: 'taken-back-secret-9' },
      anonymous,
      later(t0, 30),
    );
    await expectThiefLockedOut(o, link, mfaToken);
  });

  it("log-off everywhere ends the thief's e-mail change link and second step, not the owner's reset link", async () => {
    const o = await owner('logoff-owner');
    const link = await thiefAsksForAddress(o.stolen, 'logoff-owner');
    const mfaToken = await thiefStartsSignIn('logoff-owner', o.password);
    const outbox = await requestPasswordReset(
      kit.ctx,
      'logoff-owner@example.com',
      anonymous,
      later(t0, 20),
    );
    const reset = tokenIn(await composed(kit.ctx, outbox[0]), '/reset-password');
    expect(await logoffAll(kit.ctx, o.user.id, anonymous)).toBe(1);
    await expectThiefLockedOut(o, link, mfaToken);
    // The reset link went to the owner's own address: it still takes the account back.
    await confirmPasswordReset(
      kit.ctx,
      { token: reset, password: GOOD_PASSWORD },
      anonymous,
      later(t0, 70),
    );
  });
});

describe("review r1: a stranger's failed sign-ins do not hold back the signed-in owner", () => {
  let kit: TestKit;
  const t0 = stepStart();
  beforeAll(async () => {
    kit = await startAccountsKit({}, { throttle: 'username=5/900,address=30/900' });
  });
  afterAll(() => kit.close());

  /** Five wrong passwords for `name`, each from another address: the account's window is full. */
  async function strangerGuesses(name: string, at: Date) {
    for (let i = 0; i < 5; i++)
      await refusal(
        passwordSignIn(
          kit.ctx,
          { username: name, password: `guess-${i}` },
          { address: `198.51.100.${i + 1}`, userAgent: 'stranger' },
          at,
        ),
      );
  }

  it('changes the password, re-authenticates and turns on TOTP with the right password or code', async () => {
    const user = await createUser(kit.ctx.db, {
      username: 'attacked',
      password: 'attacked-secret-pass',
      email: 'attacked@example.com',
      emailVerified: true,
    });
    const device = { address: '203.0.113.50', userAgent: 'owner' };
    const session = await signIn(
      kit.ctx,
      { username: 'attacked', password: 'attacked-secret-pass' },
      device,
      t0,
    );
    const claims = claimsOf(session);
    await strangerGuesses('attacked', later(t0, 1));
    // The stranger's next guess is held back, as before.
    expect(
      await refusal(
        passwordSignIn(
          kit.ctx,
          { username: 'attacked', password: 'attacked-secret-pass' },
          { address: '198.51.100.99', userAgent: 'stranger' },
          later(t0, 2),
        ),
      ),
    ).toBeInstanceOf(Throttled);
    // The owner's session is no stranger.
    await reauthenticate(
      kit.ctx,
      claims,
      { password: 'attacked-secret-pass' },
      device,
      later(t0, 3),
    );
    const { secret } = await setupTotp(
      kit.ctx,
      claims,
      { password: 'attacked-secret-pass' },
      device,
      later(t0, 4),
    );
    await confirmTotp(
      kit.ctx,
      claims,
      { code: totpCode(secret, later(t0, 5)) },
      device,
      later(t0, 5),
    );
    const fresh = await changePassword(
      kit.ctx,
      claims,
      { currentPassword: 'attacked-secret-pass', newPassword: 'another-fine-secret-93' },
      device,
      later(t0, 6),
    );
    expect(fresh.accessToken).toBeTruthy();
    // The owner's right password did not give the stranger a fresh window.
    expect(
      await refusal(
        passwordSignIn(
          kit.ctx,
          { username: 'attacked', password: 'guess-again' },
          { address: '198.51.100.98', userAgent: 'stranger' },
          later(t0, 7),
        ),
      ),
    ).toBeInstanceOf(Throttled);
    expect(user.id).toBeGreaterThan(0);
  });

  it("holds a session back after its own five wrong passwords, and they count as the account's failed sign-ins", async () => {
    await createUser(kit.ctx.db, { username: 'guessing', password: 'guessing-secret-pass' });
    const device = { address: '203.0.113.51', userAgent: 'thief' };
    const claims = claimsOf(
      await signIn(kit.ctx, { username: 'guessing', password: 'guessing-secret-pass' }, device, t0),
    );
    for (let i = 0; i < 5; i++)
      expect(
        await refusal(
          changePassword(
            kit.ctx,
            claims,
            { currentPassword: `guess-${i}-xx`, newPassword: 'a-fresh-secret-42' },
            device,
            later(t0, 1),
          ),
        ),
      ).toBeInstanceOf(InvalidRequest);
    expect(
      await refusal(
        reauthenticate(kit.ctx, claims, { password: 'guessing-secret-pass' }, device, later(t0, 2)),
      ),
    ).toBeInstanceOf(Throttled);
    expect(
      await refusal(
        passwordSignIn(
          kit.ctx,
          { username: 'guessing', password: 'guessing-secret-pass' },
          { address: '198.51.100.77', userAgent: 'anyone' },
          later(t0, 3),
        ),
      ),
    ).toBeInstanceOf(Throttled);
  });
});

describe('review r1: no client-address header, anonymous requests of others', () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    kit = await startAccountsKit({
      throttle: {
        username: { limit: 5, windowSeconds: 900 },
        address: { limit: 30, windowSeconds: 900 },
        global: { limit: 3, windowSeconds: 900 },
      },
    });
  });
  afterAll(() => kit.close());

  it('hold back no valid link, reset request or sign-up: only sign-ups count in the global window', async () => {
    expect(kit.ctx.config.clientAddressHeader).toBeNull();
    await createUser(kit.ctx.db, {
      username: 'resetting',
      password: 'resetting-secret-pass',
      email: 'resetting@example.com',
      emailVerified: true,
    });
    await createUser(kit.ctx.db, {
      username: 'verifying',
      password: 'verifying-secret-pass',
      email: 'verifying@example.com',
    });
    const reset = tokenIn(
      await composed(
        kit.ctx,
        (await requestPasswordReset(kit.ctx, 'resetting@example.com', anonymous, t0))[0],
      ),
      '/reset-password',
    );
    const verify = tokenIn(
      await composed(
        kit.ctx,
        (await resendVerification(kit.ctx, 'verifying@example.com', anonymous, t0))[0],
      ),
      '/verify-email',
    );
    // Anyone's requests, many times the global rule.
    for (let i = 0; i < 10; i++) {
      await resendVerification(kit.ctx, `nobody-${i}@example.net`, anonymous, later(t0, 1));
      await requestPasswordReset(kit.ctx, `nobody-${i}@example.net`, anonymous, later(t0, 1));
      await refusal(verifyEmail(kit.ctx, `bogus-token-${i}`, anonymous, later(t0, 1)));
    }
    await confirmPasswordReset(
      kit.ctx,
      { token: reset, password: GOOD_PASSWORD },
      anonymous,
      later(t0, 2),
    );
    signedInByLink(await verifyEmail(kit.ctx, verify, anonymous, later(t0, 2)));
    await signUp(
      kit.ctx,
      { username: 'newcomer', email: 'newcomer@example.com', password: GOOD_PASSWORD },
      anonymous,
      later(t0, 3),
    );
  });
});

describe('review r1: bad input that reached the database', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  it('keeps only the known transports of a registration response (a NUL is dropped, not a 500)', async () => {
    const t0 = new Date();
    const { claims } = await signedIn(kit, 'pk-nul', t0);
    const authenticator = new SoftAuthenticator('https://app.kit.test', 'app.kit.test', true);
    const options = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      t0,
    );
    const response = authenticator.register(options) as { response: { transports?: unknown } };
    response.response.transports = ['internal\u0000', 'usb', 'usb', '\ud800', 'x'.repeat(16_384)];
    const view = await registerPasskey(
      kit.ctx,
      claims,
      { response, name: undefined },
      kit.client,
      t0,
    );
    const [row] = await kit.ctx.db.select().from(passkeys).where(eq(passkeys.id, view.id));
    expect(row!.transports).toEqual(['usb']);
  });

  it('refuses a NUL or a lone surrogate in a profile name with a field error', async () => {
    const user = await kit.user('profile-bad');
    for (const bad of ['a\u0000b', 'a\ud800b']) {
      const outcome = await updateProfile(kit.ctx, user.id, { first_name: bad, last_name: 'x' });
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.fieldErrors.first_name?.length).toBeGreaterThan(0);
    }
    expect(await updateProfile(kit.ctx, user.id, { first_name: ' Zoë ', last_name: 'x' })).toEqual({
      ok: true,
      firstName: 'Zoë',
      lastName: 'x',
    });
  });
});

describe('review r1: second factors', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit(
      {},
      {
        throttle: 'username=5/900,address=1000/900,global=2/900',
      },
    );
  });
  afterAll(() => kit.close());

  it('does not turn on a secret that replaced the one the code was matched against', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'totp-race', t0);
    const first = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    const seen = (await findTotpFactor(kit.ctx.db, claims.user_id))!;
    // Another tab restarts the setup meanwhile.
    const second = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    expect(second.secret).not.toBe(first.secret);
    const step = matchTotpCode(kit.ctx.config, seen, totpCode(first.secret, t0), t0);
    expect(step).not.toBeNull();
    const confirmed = await confirmTotpFactor(kit.ctx.db, {
      userId: claims.user_id,
      secretEnc: seen.secretEnc,
      step: step!,
      now: t0,
      codeHashes: [],
    });
    expect(confirmed).toBe(false);
    const pending = (await findTotpFactor(kit.ctx.db, claims.user_id))!;
    expect(pending.confirmedAt).toBeNull();
    expect(secretBox(kit.ctx.config).open(pending.secretEnc, String(claims.user_id))).toBe(
      second.secret,
    );
    // The secret the app has now (the second QR code) turns it on.
    await confirmTotp(kit.ctx, claims, { code: totpCode(second.secret, t0) }, kit.client, t0);
  });

  it('a session opened by a mailed link is no recent sign-in for maxAge', async () => {
    const links = await startAccountsKit();
    try {
      const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
      await createUser(links.ctx.db, {
        username: 'by-link',
        password: 'by-link-secret-pass',
        email: 'by-link@example.com',
      });
      const outbox = await resendVerification(links.ctx, 'by-link@example.com', anonymous, t0);
      const token = tokenIn(await composed(links.ctx, outbox[0]), '/verify-email');
      const linked = claimsOf(signedInByLink(await verifyEmail(links.ctx, token, anonymous, t0)));
      const viaLink = (await loadSessionUser(links.ctx, linked, t0))!;
      expect(viaLink.claims.amr).toEqual(['email']);
      expect(checkIdentity(viaLink, { maxAge: 300 }, later(t0, 1))).toBe('step_up_required');
      const typed = claimsOf(
        await signIn(
          links.ctx,
          { username: 'by-link', password: 'by-link-secret-pass' },
          anonymous,
          t0,
        ),
      );
      const viaPassword = (await loadSessionUser(links.ctx, typed, t0))!;
      expect(checkIdentity(viaPassword, { maxAge: 300 }, later(t0, 1))).toBe('ok');
    } finally {
      await links.close();
    }
  });

  it('bounds passkey sign-in options without a client address (ten times the global rule)', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (let i = 0; i < 20; i++) await passkeySignInOptions(kit.ctx, anonymous, later(t0, 1));
    const held = await refusal(passkeySignInOptions(kit.ctx, anonymous, later(t0, 2)));
    expect(held).toBeInstanceOf(Throttled);
    expect(Number((held as Throttled).headers['Retry-After'])).toBe(900 - 1);
    // A client with an address counts under its own rule.
    await passkeySignInOptions(kit.ctx, kit.client, later(t0, 2));
    // The window passes.
    await passkeySignInOptions(kit.ctx, anonymous, later(t0, 901));
  });
});

describe('review r1: the sign-up timing floor on a fresh process', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  it('a taken address on a cold start makes one write and keeps its time as the floor', async () => {
    // A fresh process: no account written yet.
    const shared = globalThis as unknown as { __authKitSignUpTimes?: number[] };
    shared.__authKitSignUpTimes!.length = 0;
    expect(accountCreationFloorMs()).toBe(0);
    await createUser(kit.ctx.db, {
      username: 'holder',
      password: 'holder-secret-pass',
      email: 'holder@example.com',
    });
    await signUp(
      kit.ctx,
      { username: 'second-try', email: 'holder@example.com', password: GOOD_PASSWORD },
      anonymous,
    );
    expect(accountCreationFloorMs()).toBeGreaterThan(0);
    const probe = await kit.ctx.db
      .select()
      .from(signInAttempts)
      .where(and(eq(signInAttempts.scope, 'timing'), eq(signInAttempts.key, 'sign-up')));
    expect(probe).toHaveLength(1);
  });
});
