import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import {
  cookiesByName,
  jwtOfSignedCookie,
  refreshClaims,
  refreshJwt,
  REFRESH_COOKIE,
} from '../../support/cookies';
import { cloneClient, PATHS, refresh, signIn, type TokenBody } from '../../support/requests';
import { useKit, usersWithPassword } from '../../support/kit-suite';
import { sessionStates } from '../../support/sessions';

const PASSWORD = 'correct-horse-battery';
/** Refresh + revocation pairs per kind of revocation, all fired at the same moment. */
const PAIRS = 25;

/** The three ways a client revokes a session over HTTP (docs/contract.md section 2). */
const REVOCATIONS = {
  'log-off': (client: HttpClient, body: TokenBody) =>
    client.post(PATHS.logoff, { CSRF_token: body.CSRF_token }),
  'log-off everywhere': (client: HttpClient, body: TokenBody) =>
    client.post(PATHS.logoffAll, undefined, { Authorization: `Bearer ${body.access_token}` }),
  'session revoke': (client: HttpClient, body: TokenBody) =>
    client.post(
      PATHS.revoke,
      { sid: refreshClaims(client).sid },
      { Authorization: `Bearer ${body.access_token}` },
    ),
} as const;
type Revocation = keyof typeof REVOCATIONS;

const username = (kind: Revocation, i: number) => `race-${kind.replaceAll(' ', '-')}-${i}`;

interface PairOutcome {
  sid: string;
  refreshStatus: number;
  revokeStatus: number;
  /** Every refresh token the session ever held: the signed-in one and the refresh's successor. */
  refreshJwts: string[];
  /** Bodies of 5xx answers, for the failure message. */
  failures: string[];
}

/** Signs in PAIRS users, then fires each session's refresh and revocation at the same moment. */
async function racePairs(kit: KitServer, kind: Revocation): Promise<PairOutcome[]> {
  const sessions = await Promise.all(
    Array.from({ length: PAIRS }, async (_, i) => {
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, username(kind, i), PASSWORD);
      return { client, body };
    }),
  );
  return Promise.all(
    sessions.map(async ({ client, body }) => {
      const [refreshed, revoked] = await Promise.all([
        refresh(cloneClient(client), body.CSRF_token),
        REVOCATIONS[kind](cloneClient(client), body),
      ]);
      const failures = await Promise.all(
        [refreshed, revoked].map(async (r) => (r.status >= 500 ? await r.text() : null)),
      );
      const successor = cookiesByName(refreshed)[REFRESH_COOKIE]?.value;
      return {
        sid: refreshClaims(client).sid,
        refreshStatus: refreshed.status,
        revokeStatus: revoked.status,
        refreshJwts: [refreshJwt(client), ...(successor ? [jwtOfSignedCookie(successor)] : [])],
        failures: failures.filter((f) => f !== null),
      };
    }),
  );
}

describe.each(HTTP_BACKENDS)('a refresh racing a revocation over next start on %s', (backend) => {
  const started = useKit(backend, {
    env: { AUTH_THROTTLE: 'off' },
    users: (Object.keys(REVOCATIONS) as Revocation[]).flatMap((kind) =>
      usersWithPassword(
        PASSWORD,
        Array.from({ length: PAIRS }, (_, i) => username(kind, i)),
      ),
    ),
  });

  it.for(Object.keys(REVOCATIONS) as Revocation[])(
    `answers ${PAIRS} refresh + %s pairs fired at once without a 500, and leaves no live token in any of the sessions`,
    async (kind, context) => {
      const kit = started(context);
      const outcomes = await racePairs(kit, kind);
      expect(outcomes.flatMap((o) => o.failures)).toEqual([]);
      // The refresh either won before the revocation (200) or lost to it (401); the revocation
      // always succeeds.
      for (const o of outcomes) expect([200, 401]).toContain(o.refreshStatus);
      expect(outcomes.map((o) => o.revokeStatus)).toEqual(Array(PAIRS).fill(200));

      // Whichever won, nothing of the session is usable afterwards: a refresh that won has had
      // its successor revoked by the revocation.
      const verifyClient = new HttpClient(kit.url);
      const verdicts = await Promise.all(
        outcomes.flatMap((o) =>
          o.refreshJwts.map(async (token) => {
            const response = await verifyClient.post(PATHS.verify, { token });
            await response.arrayBuffer();
            return response.status;
          }),
        ),
      );
      expect(verdicts.filter((status) => status !== 401)).toEqual([]);

      if (kit.database) {
        // On PostgreSQL, the rows themselves: every session revoked, every token blacklisted.
        const rows = await sessionStates(
          kit.database.db,
          outcomes.map((o) => o.sid),
        );
        expect(rows).toHaveLength(PAIRS);
        expect(rows.filter((r) => !r.revoked || r.unlisted > 0)).toEqual([]);
      }
    },
  );
});
