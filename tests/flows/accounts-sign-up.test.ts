import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignUpInput } from '@/auth/accounts/sign-up';
import { verifyEmail } from '@/auth/accounts/email';
import { confirmPasswordReset } from '@/auth/accounts/password';
import {
  AuthenticationFailed,
  EmailNotVerified,
  InvalidRequest,
  NotFound,
  UserCommandError,
} from '@/auth/errors';
import { signIn } from '@/auth/services/sign-in';
import { createUser, markEmailVerified } from '@/auth/services/users';
import { mailTokens, users } from '@/db/schema';
import type { TestKit } from '../support/auth-context';
import {
  APP_URL,
  GOOD_PASSWORD,
  claimsOf,
  refusal,
  startAccountsKit,
  composed,
  tokenIn,
  signedInByLink,
} from '../support/accounts';

const form = (name: string, overrides: Partial<SignUpInput> = {}): SignUpInput => ({
  username: name,
  email: `${name}@example.com`,
  password: GOOD_PASSWORD,
  ...overrides,
});

describe('sign-up with e-mail verification (the default)', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  const userNamed = async (username: string) =>
    (await kit.ctx.db.select().from(users).where(eq(users.username, username)))[0];

  it('creates the account unverified and mails a verification link built from AUTH_APP_URL', async () => {
    const result = await signUp(kit.ctx, form('ada', { firstName: 'Ada' }), kit.client);
    expect(result.status).toBe('accepted');
    const user = await userNamed('ada');
    expect(user).toMatchObject({
      email: 'ada@example.com',
      emailCanonical: 'ada@example.com',
      emailVerified: false,
      selfRegistered: true,
      firstName: 'Ada',
      isActive: true,
    });
    expect(user!.password).toMatch(/^argon2\$argon2id\$/);
    if (result.status !== 'accepted') return;
    expect(result.outbox).toHaveLength(1);
    const [mail] = result.outbox;
    expect(mail).toMatchObject({ kind: 'verify_email', userId: user!.id });
    const message = await composed(kit.ctx, mail);
    expect(message).toMatchObject({ to: 'ada@example.com' });
    const token = tokenIn(message, '/verify-email');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(kit.events.at(-1)).toMatchObject({ type: 'sign_up', userId: user!.id });
  });

  it('holds the unverified account at sign-in: 403 for the right password, the usual 401 for a wrong one', async () => {
    await signUp(kit.ctx, form('bea'), kit.client);
    const right = await refusal(
      signIn(kit.ctx, { username: 'bea', password: GOOD_PASSWORD }, kit.client),
    );
    expect(right).toBeInstanceOf(EmailNotVerified);
    expect(right.message).toMatch(/confirm your e-mail address/i);
    const wrong = await refusal(
      signIn(kit.ctx, { username: 'bea', password: 'not-the-password' }, kit.client),
    );
    expect(wrong).toBeInstanceOf(AuthenticationFailed);
  });

  it('verifies the address with the link, signs the user in, and then lets the password in too', async () => {
    const result = await signUp(kit.ctx, form('cyd'), kit.client);
    if (result.status !== 'accepted') throw new Error('expected 202');
    const token = tokenIn(await composed(kit.ctx, result.outbox[0]), '/verify-email');
    const issued = signedInByLink(await verifyEmail(kit.ctx, token, kit.client));
    const user = await userNamed('cyd');
    expect(user!.emailVerified).toBe(true);
    expect(issued.userId).toBe(user!.id);
    expect(claimsOf(issued)).toMatchObject({ sub: String(user!.id), amr: ['email'] });
    expect(kit.events.map((e) => e.type).slice(-2)).toEqual(['email.verified', 'sign_in.success']);
    const signedIn = await signIn(
      kit.ctx,
      { username: 'cyd', password: GOOD_PASSWORD },
      kit.client,
    );
    expect(signedIn.userId).toBe(user!.id);
  });

  it('answers a taken address exactly as a new one, creates nothing, and mails the owner a working reset link', async () => {
    const owner = await createUser(kit.ctx.db, {
      username: 'owner',
      password: 'owner-password-1',
      email: 'Owner@Example.com',
    });
    const before = await kit.ctx.db.select().from(users);
    const result = await signUp(
      kit.ctx,
      form('intruder', { email: 'owner@EXAMPLE.com' }),
      kit.client,
    );
    expect(result.status).toBe('accepted');
    expect(await kit.ctx.db.select().from(users)).toHaveLength(before.length);
    if (result.status !== 'accepted') return;
    const [mail] = result.outbox;
    expect(mail).toMatchObject({ kind: 'account_exists', userId: owner.id });
    const message = await composed(kit.ctx, mail);
    expect(message.to).toBe('Owner@Example.com');
    expect(message.text).toContain('"owner"');
    expect(message.text.split('\n')).toContain(`${APP_URL}/login`);
    const token = tokenIn(message, '/reset-password');
    await confirmPasswordReset(kit.ctx, { token, password: 'a-new-owner-secret-9' }, kit.client);
    const signedIn = await signIn(
      kit.ctx,
      { username: 'owner', password: 'a-new-owner-secret-9' },
      kit.client,
    );
    expect(signedIn.userId).toBe(owner.id);
    expect(
      kit.events.find((e) => e.type === 'sign_up' && e.reason === 'address_taken'),
    ).toMatchObject({
      userId: owner.id,
    });
  });

  it('refuses a taken username (any case, or a lookalike), a bad address and a weak password, all at once', async () => {
    await signUp(kit.ctx, form('dora'), kit.client);
    for (const username of ['dora', 'DORA', 'dоra' /* Cyrillic о */]) {
      const error = await refusal(
        signUp(kit.ctx, form(username, { email: 'x@example.org' }), kit.client),
      );
      expect(error).toBeInstanceOf(InvalidRequest);
      expect((error as InvalidRequest).errors?.username).toEqual([
        'A user with that username, or one that looks the same, already exists.',
      ]);
    }
    const error = (await refusal(
      signUp(
        kit.ctx,
        { username: 'bad name!', email: 'not-an-address', password: '12345678' },
        kit.client,
      ),
    )) as InvalidRequest;
    expect(error).toBeInstanceOf(InvalidRequest);
    expect(Object.keys(error.errors ?? {}).sort()).toEqual(['email', 'password', 'username']);
    expect(error.errors!.password).toEqual([
      'This password is too common.',
      'This password is entirely numeric.',
    ]);
    const similar = (await refusal(
      signUp(kit.ctx, form('marguerite', { password: 'Marguerite' }), kit.client),
    )) as InvalidRequest;
    expect(similar.errors).toEqual({
      password: ['This password is too similar to your username.'],
    });
    expect(await userNamed('marguerite')).toBeUndefined();
  });

  it('stores only a SHA-256 hash of the link', async () => {
    const result = await signUp(kit.ctx, form('hashy'), kit.client);
    if (result.status !== 'accepted') throw new Error('expected 202');
    const token = tokenIn(await composed(kit.ctx, result.outbox[0]), '/verify-email');
    const user = await userNamed('hashy');
    const rows = await kit.ctx.db.select().from(mailTokens).where(eq(mailTokens.userId, user!.id));
    expect(rows).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(rows[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('lets users made by the CLI sign in unverified, as before', async () => {
    await createUser(kit.ctx.db, {
      username: 'cli-made',
      password: 'cli-made-pass-1',
      email: 'cli@example.com',
    });
    const signedIn = await signIn(
      kit.ctx,
      { username: 'cli-made', password: 'cli-made-pass-1' },
      kit.client,
    );
    expect(signedIn.userId).toBeGreaterThan(0);
  });
});

describe('sign-up with verification off', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startAccountsKit({ requireEmailVerification: false });
  });
  afterAll(() => kit.close());

  it('signs the new account in at once (the sign-in answer), its address still unverified', async () => {
    const result = await signUp(kit.ctx, form('quick'), kit.client);
    expect(result.status).toBe('signed_in');
    if (result.status !== 'signed_in') return;
    expect(claimsOf(result.issued)).toMatchObject({ amr: ['pwd'] });
    const [user] = await kit.ctx.db.select().from(users).where(eq(users.username, 'quick'));
    expect(user).toMatchObject({ emailVerified: false, selfRegistered: true });
    const signedIn = await signIn(
      kit.ctx,
      { username: 'quick', password: GOOD_PASSWORD },
      kit.client,
    );
    expect(signedIn.userId).toBe(user!.id);
  });

  it('refuses an address in use with errors.email (no answer could hide it without a second account)', async () => {
    const error = (await refusal(
      signUp(kit.ctx, form('quick2', { email: 'QUICK@example.com' }), kit.client),
    )) as InvalidRequest;
    expect(error.errors).toEqual({
      email: ['An account with this e-mail address already exists.'],
    });
  });
});

describe('sign-up switched off', () => {
  it('is not found', async () => {
    const kit = await startAccountsKit({ signUp: false });
    try {
      expect(await refusal(signUp(kit.ctx, form('nobody'), kit.client))).toBeInstanceOf(NotFound);
      expect(await kit.ctx.db.select().from(users)).toEqual([]);
    } finally {
      await kit.close();
    }
  });
});

describe('verify-email (the CLI command) in process', () => {
  it('verifies an address so a sign-up account signs in, and refuses a user without one', async () => {
    const kit = await startAccountsKit();
    try {
      await signUp(kit.ctx, form('vouched'), kit.client);
      expect(
        await refusal(
          signIn(kit.ctx, { username: 'vouched', password: GOOD_PASSWORD }, kit.client),
        ),
      ).toBeInstanceOf(EmailNotVerified);
      expect(await markEmailVerified(kit.ctx.db, 'vouched')).toEqual({
        email: 'vouched@example.com',
        alreadyVerified: false,
      });
      await signIn(kit.ctx, { username: 'vouched', password: GOOD_PASSWORD }, kit.client);
      await createUser(kit.ctx.db, { username: 'addressless', password: null });
      const error = await refusal(markEmailVerified(kit.ctx.db, 'addressless'));
      expect(error).toBeInstanceOf(UserCommandError);
      expect(error.message).toContain('has no e-mail address');
    } finally {
      await kit.close();
    }
  });
});
