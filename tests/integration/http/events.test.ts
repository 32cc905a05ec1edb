import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import { CSRF_COOKIE, refreshClaims, REFRESH_COOKIE, SESSION_COOKIE } from '../../support/cookies';
import { loggedEvents, waitForEvents, type LoggedEvent } from '../../support/logged-events';
import {
  cloneClient,
  PATHS,
  refresh,
  signIn,
  startWarmKit,
  type TokenBody,
} from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

// Distinct passwords per user, so a leaked one is traceable in the log.
const PASSWORDS: Record<string, string> = {
  'event-success': 'pw-success-5b1f0c7e',
  'event-failure': 'pw-failure-0a9d33c1',
  'event-refresh': 'pw-refresh-c4e8a2b6',
  'event-reuse': 'pw-reuse-77d2e019',
  'event-logoff': 'pw-logoff-1e6f4b3a',
  'event-throttled': 'pw-throttled-9c0b2d45',
  'event-csrf': 'pw-csrf-5d0e8f21',
};
const EVENT_KEYS = ['address', 'at', 'reason', 'sid', 'type', 'userId', 'username'];

describe.each(HTTP_BACKENDS)('auth events in the server log over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  // Every secret a test sent or received, checked against the whole log at the end.
  const secrets = new Set<string>();

  beforeAll(async () => {
    kit = await startWarmKit(backend, {
      env: { AUTH_CLIENT_ADDRESS_HEADER: 'x-forwarded-for' },
      users: Object.entries(PASSWORDS).map(([username, password]) => ({ username, password })),
    });
  });
  afterAll(async () => kit?.stop());

  /** A client from a documentation address, so events can be told apart by address. */
  function browser(address: string): HttpClient {
    return new HttpClient(kit!.url, { 'X-Forwarded-For': address });
  }

  /** Remembers the tokens of a token answer and of the client's cookies. */
  function remember(client: HttpClient, body?: TokenBody): void {
    if (body) {
      secrets.add(body.access_token);
      secrets.add(body.CSRF_token);
      secrets.add(body.access_token.split('.')[2]!);
    }
    for (const name of [REFRESH_COOKIE, CSRF_COOKIE, SESSION_COOKIE]) {
      const value = client.jar.get(name)?.value;
      if (!value) continue;
      secrets.add(value);
      const jwt = value.includes(':') ? value.slice(0, value.lastIndexOf(':')) : value;
      secrets.add(jwt);
      if (jwt.split('.').length === 3) secrets.add(jwt.split('.')[2]!);
      if (value.includes(':')) secrets.add(value.slice(value.lastIndexOf(':') + 1));
    }
  }

  async function signInRemembered(client: HttpClient, username: string): Promise<TokenBody> {
    secrets.add(PASSWORDS[username]!);
    const { body } = await signIn(client, username, PASSWORDS[username]!);
    remember(client, body);
    return body;
  }

  const ofType = (
    events: LoggedEvent[],
    type: string,
    match: (e: LoggedEvent['event']) => boolean,
  ) => events.filter((e) => e.event.type === type && match(e.event));

  it('logs one sign_in.success line with the user id, the session id and the client address', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = browser('198.51.100.11');
    const body = await signInRemembered(client, 'event-success');
    const { sid } = refreshClaims(client);
    const events = await waitForEvents(kit.output, (all) => all.some((e) => e.event.sid === sid));
    const lines = ofType(events, 'sign_in.success', (e) => e.sid === sid);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.event).toMatchObject({
      userId: decodeJwt(body.access_token).user_id,
      sid,
      address: '198.51.100.11',
    });
    expect(Number.isNaN(Date.parse(lines[0]!.event.at))).toBe(false);
  });

  it('logs one sign_in.failure line with the username and a reason, and no password', async (context) => {
    skipWithoutPostgres(context, kit);
    const wrong = 'wrong-pw-3f9a1c2d';
    secrets.add(wrong);
    const response = await browser('198.51.100.12').post(PATHS.signIn, {
      username: 'event-failure',
      password: wrong,
    });
    expect(response.status).toBe(401);
    const events = await waitForEvents(kit.output, (all) =>
      all.some((e) => e.event.username === 'event-failure'),
    );
    const lines = ofType(events, 'sign_in.failure', (e) => e.username === 'event-failure');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.event).toMatchObject({ address: '198.51.100.12', sid: null });
    expect(typeof lines[0]!.event.reason).toBe('string');
    expect(lines[0]!.level).toBe('warn');
  });

  it('logs one refresh.success line per rotation', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = browser('198.51.100.13');
    const body = await signInRemembered(client, 'event-refresh');
    const { sid } = refreshClaims(client);
    const response = await refresh(client, body.CSRF_token);
    expect(response.status).toBe(200);
    remember(client, (await response.json()) as TokenBody);
    const events = await waitForEvents(
      kit.output,
      (all) => ofType(all, 'refresh.success', (e) => e.sid === sid).length > 0,
    );
    expect(ofType(events, 'refresh.success', (e) => e.sid === sid)).toHaveLength(1);
  });

  it('logs one refresh.reuse_detected line when an ancestor is replayed', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = browser('198.51.100.14');
    const body = await signInRemembered(client, 'event-reuse');
    const ancestor = cloneClient(client);
    const { sid } = refreshClaims(client);
    for (let i = 0; i < 2; i++) {
      const response = await refresh(client, body.CSRF_token);
      remember(client, (await response.json()) as TokenBody);
    }
    expect((await refresh(ancestor, body.CSRF_token)).status).toBe(401);
    const events = await waitForEvents(
      kit.output,
      (all) => ofType(all, 'refresh.reuse_detected', (e) => e.sid === sid).length > 0,
    );
    const lines = ofType(events, 'refresh.reuse_detected', (e) => e.sid === sid);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.event).toMatchObject({
      userId: decodeJwt(body.access_token).user_id,
      address: '198.51.100.14',
    });
  });

  it('logs one logoff line with the session id', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = browser('198.51.100.15');
    const body = await signInRemembered(client, 'event-logoff');
    const { sid } = refreshClaims(client);
    expect((await client.post(PATHS.logoff, { CSRF_token: body.CSRF_token })).status).toBe(200);
    const events = await waitForEvents(
      kit.output,
      (all) => ofType(all, 'logoff', (e) => e.sid === sid).length > 0,
    );
    expect(ofType(events, 'logoff', (e) => e.sid === sid)).toHaveLength(1);
  });

  it('logs a throttled sign-in', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = browser('198.51.100.16');
    for (let i = 0; i < 5; i++) {
      secrets.add(`throttle-wrong-${i}-8e1d`);
      await client.post(PATHS.signIn, {
        username: 'event-throttled',
        password: `throttle-wrong-${i}-8e1d`,
      });
    }
    secrets.add(PASSWORDS['event-throttled']!);
    expect(
      (
        await client.post(PATHS.signIn, {
          username: 'event-throttled',
          password: PASSWORDS['event-throttled'],
        })
      ).status,
    ).toBe(429);
    const events = await waitForEvents(kit.output, (all) =>
      all.some((e) => e.event.type.includes('throttled') && e.event.username === 'event-throttled'),
    );
    expect(
      events.filter(
        (e) => e.event.type.includes('throttled') && e.event.username === 'event-throttled',
      ),
    ).toHaveLength(1);
  });

  it('logs one "csrf refused" warning per 403, naming why, without the tokens', async (context) => {
    skipWithoutPostgres(context, kit);
    const client = browser('198.51.100.17');
    const body = await signInRemembered(client, 'event-csrf');
    const wrong = `${body.CSRF_token.slice(0, -4)}AAAA`;
    secrets.add(wrong);
    expect((await refresh(client, wrong)).status).toBe(403);
    expect((await client.post(PATHS.refresh, {})).status).toBe(403);
    const crossSite = await client.post(
      PATHS.logoff,
      { CSRF_token: body.CSRF_token },
      { Origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    const refused = () =>
      kit!
        .output()
        .split('\n')
        .filter((line) => line.includes('"csrf refused"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const deadline = Date.now() + 3000;
    while (refused().length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(
      refused().map(({ level, path, reason, origin }) => ({ level, path, reason, origin })),
    ).toEqual([
      { level: 'warn', path: PATHS.refresh, reason: 'mismatch', origin: null },
      { level: 'warn', path: PATHS.refresh, reason: 'missing_token', origin: null },
      { level: 'warn', path: PATHS.logoff, reason: 'cross_site', origin: 'https://evil.example' },
    ]);
  });

  it('writes every auth event as one JSON line with level, time, msg and only the documented fields', async (context) => {
    skipWithoutPostgres(context, kit);
    const events = loggedEvents(kit.output());
    expect(events.length).toBeGreaterThan(5);
    for (const line of events) {
      expect(Object.keys(line).sort()).toEqual(['event', 'level', 'msg', 'time']);
      for (const key of Object.keys(line.event)) expect(EVENT_KEYS).toContain(key);
    }
  });

  it('never writes a token, a cookie value or signature, a CSRF token or a password that was sent into the log', async (context) => {
    skipWithoutPostgres(context, kit);
    const output = kit.output();
    expect(secrets.size).toBeGreaterThan(20);
    const leaked = [...secrets].filter((secret) => secret.length >= 8 && output.includes(secret));
    expect(leaked).toEqual([]);
  });
});
