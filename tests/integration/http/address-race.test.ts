import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@/db/execute';
import { createCognitoTokenMinter } from '../../support/cognito-tokens';
import { skipWithoutPostgres } from '../../support/databases';
import { HttpClient } from '../../support/http-client';
import { serveJson } from '../../support/json-server';
import { startKit, type KitServer } from '../../support/kit-servers';
import { sleep } from '../../support/requests';

// docs/contract.md section 8 (no second account for one address) against section 2 (a social
// exchange creates a user for a verified address it cannot link). A sign-up and a first social
// exchange racing for one address must behave as if one ran after the other: the exchange takes
// the same address lock as sign-up and e-mail change. The race is forced, not hoped for: a test
// transaction holds the identities table, so the exchange stops after inserting its user and
// before committing; the sign-up then runs its "no account has this address" check. Without the
// lock that check misses the uncommitted user and a second user is created.
//
// PostgreSQL only: PGlite runs one transaction at a time, so there the race cannot happen.

const POOL = 'us-east-1_KitRace';
const CLIENT = 'kit-race-client';
const ADDRESS = 'racer@example.com';

describe('a sign-up and a social exchange racing for one address on pg', () => {
  const minter = createCognitoTokenMinter({ userPoolId: POOL, clientId: CLIENT });
  let jwks: Awaited<ReturnType<typeof serveJson>>;
  let kit: KitServer | null = null;
  beforeAll(async () => {
    jwks = await serveJson(minter.jwks);
    kit = await startKit('pg', {
      env: { COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: CLIENT, AUTH_IDP_JWKS_URL: jwks.url },
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await jwks?.close();
  });

  /** Polls until `probe` is true (or fails the test after 20 s). */
  async function until(probe: () => Promise<boolean>, what: string) {
    for (let waited = 0; waited < 20_000; waited += 50) {
      if (await probe()) return;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('creates one user for the address, whichever comes first', async (context) => {
    skipWithoutPostgres(context, kit);
    const db = kit.database!.db;
    const waitingLocks = async (locktype: string) => {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from pg_locks where not granted and locktype = ${locktype}`,
      );
      return Number(row?.n ?? 0);
    };
    const tokens = await minter.mint({
      idClaims: {
        sub: 'race-sub-1',
        'cognito:username': 'racer-idp',
        email: ADDRESS,
        email_verified: true,
      },
      accessClaims: { sub: 'race-sub-1', username: 'racer-idp' },
    });
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction(async (tx) => {
      await tx.execute(sql`lock table identities in exclusive mode`);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    const exchange = new HttpClient(kit.url).post('/auth/social-exchange/', {
      id_token: tokens.id_token,
      access_token: tokens.access_token,
    });
    // The exchange has inserted its user and waits for the identities table.
    await until(async () => (await waitingLocks('relation')) > 0, 'the exchange to wait');
    let signUpDone = false;
    const signUp = new HttpClient(kit.url)
      .post('/auth/sign-up/', {
        username: 'racer-form',
        email: ADDRESS,
        password: 'violet-harbour-71',
      })
      .finally(() => (signUpDone = true));
    // Either the sign-up finishes (no lock: it did not see the exchange's user) or it waits for
    // the address lock the exchange holds.
    await until(
      async () => signUpDone || (await waitingLocks('advisory')) > 0,
      'the sign-up to finish or wait',
    );
    release();
    await holder;
    const [exchanged, signedUp] = await Promise.all([exchange, signUp]);
    expect(exchanged.status).toBe(200);
    expect(signedUp.status).toBe(202);
    const holders = await queryRows<{ username: string }>(
      db,
      sql`select username from users where email_canonical = ${ADDRESS} order by id`,
    );
    expect(holders.map((u) => u.username)).toEqual(['racer-idp']);
  });
});
