import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationFailed, Throttled } from '@/auth/errors';
import { signIn } from '@/auth/services/sign-in';
import { later, startTestKit, type TestKit } from '../support/auth-context';

describe('the username throttle at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
    await kit.user('omar');
  });
  afterAll(() => kit.close());

  const attempt = (password: string, now: Date) =>
    signIn(kit.ctx, { username: 'omar', password }, kit.client, now);

  it('five failures hold the username until the window ends, then it signs in again', async () => {
    const t0 = new Date();
    for (let i = 0; i < 5; i++)
      await expect(attempt('wrong-password-1', later(t0, i))).rejects.toBeInstanceOf(
        AuthenticationFailed,
      );
    const held = await attempt('wrong-password-1', later(t0, 10)).catch((error: unknown) => error);
    expect(held).toBeInstanceOf(Throttled);
    // Retry-After counts to the end of the 15-minute window that the first failure opened.
    expect((held as Throttled).headers['Retry-After']).toBe('890');
    const after = await attempt('omar-password-1', later(t0, 901));
    expect(after.userId).toBeGreaterThan(0);
    // A success starts the count over.
    await expect(attempt('wrong-password-1', later(t0, 902))).rejects.toBeInstanceOf(
      AuthenticationFailed,
    );
  });
});
