import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationFailed, Throttled } from '@/auth/errors';
import type { KnownDevice } from '@/auth/cookies/device';
import type { ClientInfo } from '@/auth/client-info';
import { signIn } from '@/auth/services/sign-in';
import { later, startTestKit, type TestKit } from '../support/auth-context';

/**
 * A client without an address, as every client is while no client-address header is configured
 * (the per-address limit then counts nothing).
 */
const NO_ADDRESS: ClientInfo = { address: null, userAgent: 'flows' };

/** The kit's sign-in at a frozen clock, from `client`, with the device entries the browser sent. */
function attemptsOn(kit: () => TestKit) {
  const attempt = (
    username: string,
    password: string,
    now: Date,
    options: { devices?: KnownDevice[]; client?: ClientInfo } = {},
  ) =>
    signIn(
      kit().ctx,
      { username, password, devices: options.devices },
      options.client ?? NO_ADDRESS,
      now,
    );
  return {
    attempt,
    /** The attempt's refusal (or a failed test when it signs in). */
    refusal: (...args: Parameters<typeof attempt>) =>
      attempt(...args).then(
        () => expect.unreachable('signed in'),
        (error: unknown) => error,
      ),
    /** Five wrong passwords from a stranger (no device), then one more: the username is held. */
    lockOut: async (username: string, now: Date) => {
      for (let i = 0; i < 5; i++)
        await expect(attempt(username, `wrong-${i}`, now)).rejects.toBeInstanceOf(
          AuthenticationFailed,
        );
      await expect(attempt(username, 'wrong-5', now)).rejects.toBeInstanceOf(Throttled);
    },
  };
}

describe('the username throttle at a frozen clock', () => {
  let kit: TestKit;
  const { attempt } = attemptsOn(() => kit);
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
    await kit.user('omar');
  });
  afterAll(() => kit.close());

  it('five failures hold the username until the window ends, then it signs in again', async () => {
    const t0 = new Date();
    for (let i = 0; i < 5; i++)
      await expect(attempt('omar', 'wrong-password-1', later(t0, i))).rejects.toBeInstanceOf(
        AuthenticationFailed,
      );
    const held = await attempt('omar', 'wrong-password-1', later(t0, 10)).catch(
      (error: unknown) => error,
    );
    expect(held).toBeInstanceOf(Throttled);
    // Retry-After counts to the end of the 15-minute window that the first failure opened.
    expect((held as Throttled).headers['Retry-After']).toBe('890');
    // The right password is held too, and reported as throttled (no password check, no failure).
    await expect(attempt('omar', 'omar-password-1', later(t0, 11))).rejects.toBeInstanceOf(
      Throttled,
    );
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.throttled',
      username: 'omar',
      address: null,
    });
    const after = await attempt('omar', 'omar-password-1', later(t0, 901));
    expect(after.userId).toBeGreaterThan(0);
    // A success starts the count over.
    await expect(attempt('omar', 'wrong-password-1', later(t0, 902))).rejects.toBeInstanceOf(
      AuthenticationFailed,
    );
  });
});

describe('device cookies past a held username at a frozen clock', () => {
  let kit: TestKit;
  const { attempt, refusal, lockOut } = attemptsOn(() => kit);
  beforeAll(async () => {
    // A global limit far away, so that only the username limit and the device rule are tested.
    kit = await startTestKit({}, { throttle: 'username=5/900,global=1000/900' });
    for (const name of ['owner-a', 'owner-b', 'device-failures', 'bound-a', 'bound-b'])
      await kit.user(name);
  });
  afterAll(() => kit.close());

  const right = (username: string) => `${username}-password-1`;

  it("lets the browser that signed in before past a stranger's lock-out, not a new client", async () => {
    const t0 = new Date();
    const { device } = await attempt('owner-a', right('owner-a'), t0);
    await lockOut('owner-a', later(t0, 1));
    const owner = await attempt('owner-a', right('owner-a'), later(t0, 2), { devices: [device] });
    // The browser keeps the device id it had for that account.
    expect(owner.device.deviceId).toBe(device.deviceId);
    const stranger = await refusal('owner-a', right('owner-a'), later(t0, 3));
    expect(stranger).toBeInstanceOf(Throttled);
    expect(Number((stranger as Throttled).headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('keeps the device working after the owner signs in past the lock again', async () => {
    const t0 = new Date();
    let { device } = await attempt('owner-b', right('owner-b'), t0);
    await lockOut('owner-b', later(t0, 1));
    for (let i = 0; i < 3; i++)
      ({ device } = await attempt('owner-b', right('owner-b'), later(t0, 2 + i), {
        devices: [device],
      }));
  });

  it("counts a known device's wrong passwords and holds the device after five, even with the right password", async () => {
    const t0 = new Date();
    const { device } = await attempt('device-failures', right('device-failures'), t0);
    await lockOut('device-failures', later(t0, 1));
    // The device has its own allowance: the owner's typos are refused as wrong, not as held ...
    for (let i = 0; i < 5; i++)
      expect(
        await refusal('device-failures', `typo-${i}`, later(t0, 2), { devices: [device] }),
      ).toBeInstanceOf(AuthenticationFailed);
    // ... and a stolen device entry buys no more guesses than that.
    expect(
      await refusal('device-failures', right('device-failures'), later(t0, 3), {
        devices: [device],
      }),
    ).toBeInstanceOf(Throttled);
    // Until the device's window ends.
    await attempt('device-failures', right('device-failures'), later(t0, 2 + 901), {
      devices: [device],
    });
  });

  it("does not let user A's device entry past user B's limit", async () => {
    const t0 = new Date();
    const { device: deviceA } = await attempt('bound-a', right('bound-a'), t0);
    await attempt('bound-b', right('bound-b'), t0);
    await lockOut('bound-a', later(t0, 1));
    await lockOut('bound-b', later(t0, 1));
    await attempt('bound-a', right('bound-a'), later(t0, 2), { devices: [deviceA] });
    expect(
      await refusal('bound-b', right('bound-b'), later(t0, 2), { devices: [deviceA] }),
    ).toBeInstanceOf(Throttled);
  });
});

describe('the global failed sign-in limit (no client-address header) at a frozen clock', () => {
  let kit: TestKit;
  const { attempt, refusal } = attemptsOn(() => kit);
  const sprayed = Array.from({ length: 8 }, (_, i) => `sprayed-${i}`);
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,global=4/900' });
    for (const name of [...sprayed, 'spray-owner', 'spray-newcomer']) await kit.user(name);
  });
  afterAll(() => kit.close());

  it('holds every username after four failures across usernames, while a known device still signs in; the window ends', async () => {
    const t0 = new Date();
    const { device } = await attempt('spray-owner', 'spray-owner-password-1', t0);
    const outcomes: string[] = [];
    for (const [i, username] of sprayed.entries()) {
      const error = await refusal(username, 'Summer2025!', later(t0, 1 + i));
      outcomes.push(error instanceof Throttled ? '429' : '401');
    }
    // The owner's success gave its attempt back: four failures in all, then held.
    expect(outcomes).toEqual(['401', '401', '401', '401', '429', '429', '429', '429']);
    await attempt('spray-owner', 'spray-owner-password-1', later(t0, 10), { devices: [device] });
    const newcomer = await refusal('spray-newcomer', 'spray-newcomer-password-1', later(t0, 11));
    expect(newcomer).toBeInstanceOf(Throttled);
    // The window opened with the first counted attempt (the owner's, at t0) ends 900 s later.
    expect((newcomer as Throttled).headers['Retry-After']).toBe('889');
    await attempt('spray-newcomer', 'spray-newcomer-password-1', later(t0, 901));
  });
});

describe('the per-address limit (with a client-address header) at a frozen clock', () => {
  let kit: TestKit;
  const { attempt, refusal } = attemptsOn(() => kit);
  const from = (address: string): ClientInfo => ({ address, userAgent: 'flows' });
  beforeAll(async () => {
    kit = await startTestKit(
      { clientAddressHeader: 'X-Real-IP' },
      { throttle: 'username=5/900,address=3/900,global=1/900' },
    );
    for (const name of ['pat', 'quin', 'ros', 'sia']) await kit.user(name);
  });
  afterAll(() => kit.close());

  it('counts every attempt from one address (successes too) and holds that address only, until the window ends', async () => {
    const t0 = new Date();
    const near = from('198.51.100.1');
    await attempt('pat', 'pat-password-1', t0, { client: near });
    // The global limit (1) is off with an address header: two failures are plain failures.
    expect(await refusal('quin', 'wrong', later(t0, 1), { client: near })).toBeInstanceOf(
      AuthenticationFailed,
    );
    expect(await refusal('ros', 'wrong', later(t0, 2), { client: near })).toBeInstanceOf(
      AuthenticationFailed,
    );
    const held = await refusal('sia', 'sia-password-1', later(t0, 3), { client: near });
    expect(held).toBeInstanceOf(Throttled);
    expect((held as Throttled).headers['Retry-After']).toBe('897');
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.throttled',
      address: near.address,
      username: 'sia',
    });
    // Another address is not held, and the held one is free once its window has ended.
    await attempt('sia', 'sia-password-1', later(t0, 4), { client: from('198.51.100.2') });
    await attempt('sia', 'sia-password-1', later(t0, 901), { client: near });
  });
});
