import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignUpInput } from '@/auth/accounts/sign-up';
import { AuthError } from '@/auth/errors';
import { passwordSignIn } from '@/auth/services/sign-in';
import { createUser, deleteUser } from '@/auth/services/users';
import { users } from '@/db/schema';
import type { TestKit } from '../support/auth-context';
import { GOOD_PASSWORD, startAccountsKit } from '../support/accounts';

// docs/accounts.md "No enumeration, and why": signing up with username u and an address that
// already has an account must leave u exactly as taken as a sign-up with a free address does, or
// an attacker signs up with (u, victim@example.com) and then probes u: free means the victim has
// an account. Both branches side by side: every later probe of u answers the same.

const form = (username: string, email: string): SignUpInput => ({
  username,
  email,
  password: GOOD_PASSWORD,
});

/** What a call answered, as a client sees it: the status and body an AuthError maps to. */
async function answer(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = (await promise) as Record<string, unknown>;
    return { ok: true, keys: Object.keys(value).sort() };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return {
      status: error.status,
      code: error.code,
      detail: error.message,
      errors: 'errors' in error ? error.errors : undefined,
    };
  }
}

describe('a sign-up with a taken address reserves the username as a new account would', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startAccountsKit();
    await createUser(kit.ctx.db, {
      username: 'victim',
      password: 'victim-password-1',
      email: 'victim@example.com',
      emailVerified: true,
    });
  });
  afterAll(() => kit.close());

  const userCount = async () => (await kit.ctx.db.select().from(users)).length;

  /** Every follow-up probe an attacker can make of `u` (sign-up's username check, sign-in). */
  async function probes(u: string) {
    return {
      signUpAgain: await answer(signUp(kit.ctx, form(u, `${u}-2@example.com`), kit.client)),
      signUpOtherCase: await answer(
        signUp(kit.ctx, form(u.toUpperCase(), `${u}-3@example.com`), kit.client),
      ),
      rightPassword: await answer(
        passwordSignIn(kit.ctx, { username: u, password: GOOD_PASSWORD }, kit.client),
      ),
      wrongPassword: await answer(
        passwordSignIn(kit.ctx, { username: u, password: 'not-the-password-1' }, kit.client),
      ),
    };
  }

  it('answers every later probe of u the same for a taken and a free address', async () => {
    const before = await userCount();
    const taken = await signUp(kit.ctx, form('probe-t', 'VICTIM@example.com'), kit.client);
    const free = await signUp(kit.ctx, form('probe-f', 'nobody@example.com'), kit.client);
    expect(taken.status).toBe('accepted');
    expect(free.status).toBe('accepted');
    // No second account for the victim's address: only the free address made one.
    expect(await userCount()).toBe(before + 1);
    expect(
      await kit.ctx.db.select().from(users).where(eq(users.emailCanonical, 'victim@example.com')),
    ).toHaveLength(1);

    const t = await probes('probe-t');
    const f = await probes('probe-f');
    expect(t).toEqual(f);
    expect(f.signUpAgain).toMatchObject({
      status: 400,
      errors: { username: [expect.any(String)] },
    });
    expect(f.rightPassword).toMatchObject({ status: 403, code: 'email_not_verified' });
    expect(f.wrongPassword).toMatchObject({ status: 401, code: 'authentication_failed' });
  });

  it('never lets the reservation sign in, and the CLI sees its name as taken', async () => {
    await signUp(kit.ctx, form('squatter', 'victim@example.com'), kit.client);
    // The CLI sees the name as taken too (and so does a social exchange: the same check).
    await expect(
      createUser(kit.ctx.db, { username: 'Squatter', password: 'squatter-pass-123' }),
    ).rejects.toThrow(/is reserved by a sign-up/);
    // An operator frees the name (delete-user): then it can be signed up again.
    expect(await deleteUser(kit.ctx.db, 'squatter')).toEqual({ id: null, revokedSessions: 0 });
    await expect(deleteUser(kit.ctx.db, 'squatter')).rejects.toThrow(/no user named/);
    await signUp(kit.ctx, form('squatter', 'squatter-own@example.com'), kit.client);
    expect(
      await kit.ctx.db.select().from(users).where(eq(users.username, 'squatter')),
    ).toHaveLength(1);
    await signUp(kit.ctx, form('squatter-2', 'victim@example.com'), kit.client);
    // Even with verification turned off later, the reservation is no account: 401.
    const off = { ...kit.ctx, config: { ...kit.ctx.config, requireEmailVerification: false } };
    await expect(
      passwordSignIn(off, { username: 'squatter-2', password: GOOD_PASSWORD }, kit.client),
    ).rejects.toMatchObject({ status: 401 });
  });
});
