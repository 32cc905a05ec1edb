import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import { attributesOf, cookiesByName } from '../../support/cookies';
import { PATHS, signIn, startWarmKit } from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

// The device cookie's name with the default (empty) cookie prefix.
const DEVICE_COOKIE = 'device';
const PASSWORD = 'correct-horse-battery';
const YEAR_SECONDS = 365 * 86_400;

/** Five wrong passwords from a stranger, then one more: the username is held (429). */
async function lockOut(url: string, username: string): Promise<void> {
  const stranger = new HttpClient(url);
  for (let i = 0; i < 5; i++) {
    const response = await stranger.post(PATHS.signIn, { username, password: `wrong-${i}` });
    expect(response.status).toBe(401);
  }
  const held = await stranger.post(PATHS.signIn, { username, password: 'wrong-5' });
  await expectError(held, 429, 'throttled');
}

function post(client: HttpClient, username: string, password: string): Promise<Response> {
  return client.post(PATHS.signIn, { username, password });
}

/** A client holding only the given device cookie value. */
function clientWithDevice(url: string, value: string): HttpClient {
  const client = new HttpClient(url);
  client.jar.set(DEVICE_COOKIE, { value, path: '/auth' });
  return client;
}

// The device rule's counting (a device's own allowance, one account's entry not opening another,
// the windows) is tested in process at a frozen clock (tests/flows/throttle.test.ts); this suite
// keeps the cookie itself and one lock-out passed by it over HTTP.
describe.each(HTTP_BACKENDS)('lock-out and device cookies over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  beforeAll(async () => {
    kit = await startWarmKit(backend, {
      // A global limit far away, so that only the username limit and the device rule are tested.
      env: { AUTH_THROTTLE: 'username=5/900,global=1000/900' },
      users: [
        'device-attributes',
        'owner-a',
        'tamper-a',
        'tamper-b',
        'two-accounts-a',
        'two-accounts-b',
      ].map((username) => ({ username, password: PASSWORD })),
    });
  });
  afterAll(async () => kit?.stop());

  it('sets a device cookie on sign-in: HttpOnly, SameSite=Strict, Path=/auth, Secure, for a year', async (context) => {
    skipWithoutPostgres(context, kit);
    const { response } = await signIn(new HttpClient(kit.url), 'device-attributes', PASSWORD);
    const cookie = cookiesByName(response)[DEVICE_COOKIE];
    expect(cookie).toBeDefined();
    expect(attributesOf(cookie!)).toEqual({
      httpOnly: true,
      sameSite: 'strict',
      path: '/auth',
      secure: true,
    });
    const lifetime = cookie!.expires!.getTime() / 1000 - Date.now() / 1000;
    expect(Math.abs(lifetime - YEAR_SECONDS)).toBeLessThan(120);
  });

  it('lets a browser that signed in before past a locked username with the right password, not a new client', async (context) => {
    skipWithoutPostgres(context, kit);
    const owner = new HttpClient(kit.url);
    await signIn(owner, 'owner-a', PASSWORD);
    await lockOut(kit.url, 'owner-a');
    expect((await post(owner, 'owner-a', PASSWORD)).status).toBe(200);
    const stranger = await post(new HttpClient(kit.url), 'owner-a', PASSWORD);
    await expectError(stranger, 429, 'throttled');
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('ignores a tampered or forged device cookie', async (context) => {
    skipWithoutPostgres(context, kit);
    const { response, body } = await signIn(new HttpClient(kit.url), 'tamper-a', PASSWORD);
    const { body: bodyB } = await signIn(new HttpClient(kit.url), 'tamper-b', PASSWORD);
    const value = cookiesByName(response)[DEVICE_COOKIE]!.value!;
    const idA = String(decodeJwt(body.access_token).user_id);
    const idB = String(decodeJwt(bodyB.access_token).user_id);
    await lockOut(kit.url, 'tamper-a');
    await lockOut(kit.url, 'tamper-b');
    const last = value.at(-1) === 'A' ? 'B' : 'A';
    const tampered = value.slice(0, -1) + last;
    await expectError(
      await post(clientWithDevice(kit.url, tampered), 'tamper-a', PASSWORD),
      429,
      'throttled',
    );
    // A's signed entry relabelled as B's: the signature binds the user id.
    expect(value.startsWith(`${idA}.`)).toBe(true);
    const relabelled = `${idB}${value.slice(idA.length)}`;
    await expectError(
      await post(clientWithDevice(kit.url, relabelled), 'tamper-b', PASSWORD),
      429,
      'throttled',
    );
    await expectError(
      await post(clientWithDevice(kit.url, 'garbage'), 'tamper-a', PASSWORD),
      429,
      'throttled',
    );
    expect((await post(clientWithDevice(kit.url, value), 'tamper-a', PASSWORD)).status).toBe(200);
  });

  it('remembers every account the browser signed in to', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = new HttpClient(kit.url);
    await signIn(client, 'two-accounts-a', PASSWORD);
    await signIn(client, 'two-accounts-b', PASSWORD);
    await lockOut(kit.url, 'two-accounts-a');
    await lockOut(kit.url, 'two-accounts-b');
    expect((await post(client, 'two-accounts-a', PASSWORD)).status).toBe(200);
    expect((await post(client, 'two-accounts-b', PASSWORD)).status).toBe(200);
  });
});

describe.each(HTTP_BACKENDS)(
  'the global failed sign-in limit without a client-address header on %s',
  (backend) => {
    const sprayed = Array.from({ length: 40 }, (_, i) => `sprayed-${i}`);
    let kit: KitServer | null = null;
    beforeAll(async () => {
      kit = await startWarmKit(backend, {
        env: { AUTH_THROTTLE: 'username=5/900,global=10/900' },
        users: [...sprayed, 'spray-owner', 'spray-newcomer'].map((username) => ({
          username,
          password: PASSWORD,
        })),
      });
    });
    afterAll(async () => kit?.stop());

    it('says at start that the per-address limits are off', (context) => {
      skipWithoutPostgres(context, kit);
      expect(kit.output()).toMatch(/AUTH_CLIENT_ADDRESS_HEADER/);
      expect(kit.output()).toMatch(/per-address .*off/i);
    });

    it('answers 429 to a spray over 40 usernames after the global limit, while a known device still signs in', async (context) => {
      skipWithoutPostgres(context, kit);
      const owner = new HttpClient(kit.url);
      await signIn(owner, 'spray-owner', PASSWORD);
      const sprayer = new HttpClient(kit.url);
      const statuses: number[] = [];
      let retryAfter = 0;
      for (const username of sprayed) {
        const response = await sprayer.post(PATHS.signIn, { username, password: 'Summer2025!' });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = Number(response.headers.get('retry-after'));
        await response.arrayBuffer();
      }
      // At most 10 failures in all (the warm-up's unknown-user sign-in was one), then 429 only.
      const first = statuses.indexOf(429);
      expect(first).toBeGreaterThanOrEqual(8);
      expect(first).toBeLessThanOrEqual(10);
      expect(statuses.slice(0, first)).toEqual(Array(first).fill(401));
      expect(statuses.slice(first)).toEqual(Array(40 - first).fill(429));
      expect(retryAfter).toBeGreaterThan(0);
      expect((await post(owner, 'spray-owner', PASSWORD)).status).toBe(200);
      await expectError(
        await post(new HttpClient(kit.url), 'spray-newcomer', PASSWORD),
        429,
        'throttled',
      );
    });
  },
);
