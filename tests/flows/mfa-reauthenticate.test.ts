import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount } from '@/auth/accounts/account';
import { InvalidRequest, Throttled, TokenNotValid } from '@/auth/errors';
import { setupTotp } from '@/auth/mfa/factor';
import { reauthenticate } from '@/auth/mfa/reauthenticate';
import { totpCode } from '@/auth/mfa/totp';
import { passkeyRegistrationOptions, registerPasskey } from '@/auth/passkeys/manage';
import { passkeySignIn, passkeySignInOptions } from '@/auth/passkeys/sign-in';
import { checkIdentity, loadSessionUser } from '@/auth/services/current-user';
import { createUser } from '@/auth/services/users';
import { openSession } from '@/auth/sessions/open';
import { revokeSession } from '@/db/queries/sessions';
import { sessions } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';
import { claimsOf, refusal, signedIn, stepStart, turnOnTotp } from '../support/second-factors';
import { SoftAuthenticator } from '../support/soft-authenticator';

const ORIGIN = 'https://app.kit.test';
const RP_ID = 'app.kit.test';

describe('re-authentication and step-up at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  const session = async (sid: string) =>
    (await kit.ctx.db.select().from(sessions).where(eq(sessions.sid, sid)))[0]!;

  async function withPasskey(username: string, t0: Date) {
    const signed = await signedIn(kit, username, t0);
    const authenticator = new SoftAuthenticator(ORIGIN, RP_ID);
    const options = await passkeyRegistrationOptions(
      kit.ctx,
      signed.claims,
      { password: undefined },
      kit.client,
      t0,
    );
    await registerPasskey(
      kit.ctx,
      signed.claims,
      { response: authenticator.register(options), name: undefined },
      kit.client,
      t0,
    );
    const respond = async (now: Date) =>
      authenticator.authenticate(await passkeySignInOptions(kit.ctx, kit.client, now));
    return { ...signed, authenticator, respond };
  }

  it('moves auth_time with the password and answers new tokens for the same session; sensitive actions then pass', async () => {
    const t0 = stepStart();
    const { user, claims, issued, password } = await signedIn(kit, 're-pwd', t0);
    const t1 = later(t0, 3600);
    // An hour later, a sensitive action without the password is refused...
    expect(
      await refusal(setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t1)),
    ).toBeInstanceOf(InvalidRequest);
    const fresh = await reauthenticate(kit.ctx, claims, { password }, kit.client, t1);
    expect(fresh.sid).toBe(issued.sid);
    expect(fresh.refreshToken).not.toBe(issued.refreshToken);
    expect(decodeJwt(fresh.accessToken)).toMatchObject({
      sid: issued.sid,
      auth_time: t1.getTime() / 1000,
      amr: ['pwd'],
    });
    expect(await session(issued.sid)).toMatchObject({ authTime: t1, amr: ['pwd'] });
    expect(kit.events.at(-1)).toMatchObject({
      type: 'session.reauthenticated',
      userId: user.id,
      sid: issued.sid,
      reason: 'pwd',
    });
    // ...and passes within reauthMaxAge of the re-authentication, with either access token.
    await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, later(t1, 299));
    expect(
      await refusal(
        setupTotp(kit.ctx, claimsOf(fresh), { password: undefined }, kit.client, later(t1, 301)),
      ),
    ).toBeInstanceOf(InvalidRequest);
  });

  it('refuses a wrong password with errors.password and counts it toward the username throttle', async () => {
    const t0 = stepStart();
    const { claims, password } = await signedIn(kit, 're-wrong', t0);
    for (let i = 0; i < 5; i++) {
      const error = await refusal(
        reauthenticate(kit.ctx, claims, { password: `wrong-${i}` }, kit.client, t0),
      );
      expect((error as InvalidRequest).errors?.password).toEqual(['The password is not correct.']);
    }
    expect(
      await refusal(reauthenticate(kit.ctx, claims, { password }, kit.client, t0)),
    ).toBeInstanceOf(Throttled);
  });

  it('takes a TOTP code (once): a password session becomes multi-factor, so { mfa: true } passes', async () => {
    const t0 = stepStart();
    const { claims, issued } = await signedIn(kit, 're-code', t0);
    const { secret } = await turnOnTotp(kit, claims, t0);
    const t1 = later(t0, 600);
    const before = (await loadSessionUser(kit.ctx, { sub: claims.sub, sid: claims.sid }, t1))!;
    expect(checkIdentity(before, { mfa: true }, t1)).toBe('step_up_required');
    const code = totpCode(secret, t1);
    const fresh = await reauthenticate(kit.ctx, claims, { code }, kit.client, t1);
    expect(decodeJwt(fresh.accessToken)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
    const after = (await loadSessionUser(kit.ctx, { sub: claims.sub, sid: issued.sid }, t1))!;
    expect(checkIdentity(after, { mfa: true, maxAge: 300 }, later(t1, 300))).toBe('ok');
    expect(checkIdentity(after, { mfa: true, maxAge: 300 }, later(t1, 301))).toBe(
      'step_up_required',
    );
    // The code is used: again, within its window, it is refused.
    const replay = await refusal(reauthenticate(kit.ctx, claims, { code }, kit.client, t1));
    expect((replay as InvalidRequest).errors?.code?.[0]).toMatch(/used already/);
  });

  it('refuses a code for an account without TOTP, and a request with none or two ways', async () => {
    const t0 = stepStart();
    const { claims, password } = await signedIn(kit, 're-odd', t0);
    expect(
      (
        (await refusal(
          reauthenticate(kit.ctx, claims, { code: '123456' }, kit.client, t0),
        )) as InvalidRequest
      ).errors?.code,
    ).toBeDefined();
    for (const input of [{}, { password, code: '123456' }, { password, response: {} }])
      expect(
        ((await refusal(reauthenticate(kit.ctx, claims, input, kit.client, t0))) as InvalidRequest)
          .errors?.non_field_errors,
      ).toBeDefined();
  });

  it("takes one of the caller's own passkeys, never another user's", async () => {
    const t0 = stepStart();
    const mine = await withPasskey('re-passkey', t0);
    const theirs = await withPasskey('re-passkey-other', t0);
    const t1 = later(t0, 900);
    const foreign = await refusal(
      reauthenticate(kit.ctx, mine.claims, { response: await theirs.respond(t1) }, kit.client, t1),
    );
    expect((foreign as InvalidRequest).errors?.response).toHaveLength(1);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'mfa.challenge_failed',
      reason: 'passkey_of_another_user',
    });
    const fresh = await reauthenticate(
      kit.ctx,
      mine.claims,
      { response: await mine.respond(t1) },
      kit.client,
      t1,
    );
    expect(decodeJwt(fresh.accessToken)).toMatchObject({
      auth_time: t1.getTime() / 1000,
      amr: ['pwd', 'hwk', 'user', 'mfa'],
    });
    // A malformed response is a 400, not an error.
    expect(
      await refusal(reauthenticate(kit.ctx, mine.claims, { response: { id: 5 } }, kit.client, t1)),
    ).toBeInstanceOf(InvalidRequest);
  });

  it('refuses a session that has ended', async () => {
    const t0 = stepStart();
    const { claims, password } = await signedIn(kit, 're-revoked', t0);
    await revokeSession(kit.ctx.db, claims.sid);
    expect(
      await refusal(reauthenticate(kit.ctx, claims, { password }, kit.client, t0)),
    ).toBeInstanceOf(TokenNotValid);
  });

  it('lets a user without a password delete the account after re-authenticating with a passkey', async () => {
    const t0 = stepStart();
    const user = await createUser(kit.ctx.db, { username: 're-delete', password: null });
    const issued = await openSession(kit.ctx, {
      user,
      client: kit.client,
      amr: ['fed'],
      event: 'social_exchange.success',
      now: t0,
    });
    const claims = claimsOf(issued);
    const authenticator = new SoftAuthenticator(ORIGIN, RP_ID);
    const options = await passkeyRegistrationOptions(
      kit.ctx,
      claims,
      { password: undefined },
      kit.client,
      t0,
    );
    await registerPasskey(
      kit.ctx,
      claims,
      { response: authenticator.register(options), name: undefined },
      kit.client,
      t0,
    );
    const t1 = later(t0, 1200);
    const stale = await refusal(
      deleteAccount(kit.ctx, claims, { password: undefined }, kit.client, t1),
    );
    expect((stale as InvalidRequest).errors?.password?.[0]).toMatch(/Sign in again/);
    const response = authenticator.authenticate(
      await passkeySignInOptions(kit.ctx, kit.client, t1),
    );
    const fresh = await reauthenticate(kit.ctx, claims, { response }, kit.client, t1);
    expect(decodeJwt(fresh.accessToken).amr).toEqual(['fed', 'hwk', 'user', 'mfa']);
    await deleteAccount(kit.ctx, claims, { password: undefined }, kit.client, later(t1, 60));
    expect(kit.events.at(-1)).toMatchObject({ type: 'account.deleted', userId: user.id });
  });

  it('counts a passkey sign-in as multi-factor for step-up ({ mfa: true }), a password alone not', async () => {
    const t0 = stepStart();
    const { respond } = await withPasskey('re-stepup', t0);
    const done = await passkeySignIn(kit.ctx, { response: await respond(t0) }, kit.client, t0);
    const viaPasskey = (await loadSessionUser(
      kit.ctx,
      { sub: String(done.userId), sid: done.sid },
      t0,
    ))!;
    expect(viaPasskey.claims.amr).toEqual(['hwk', 'user']);
    expect(checkIdentity(viaPasskey, { mfa: true }, t0)).toBe('ok');
    const { claims } = await signedIn(kit, 're-stepup-pwd', t0);
    const viaPassword = (await loadSessionUser(kit.ctx, { sub: claims.sub, sid: claims.sid }, t0))!;
    expect(checkIdentity(viaPassword, { mfa: true }, t0)).toBe('step_up_required');
  });
});
