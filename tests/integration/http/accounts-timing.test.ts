import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { type KitServer } from '../../support/kit-servers';
import { startTestMailCatcher, type TestMailCatcher } from '../../support/mail-catcher';
import { startWarmKit } from '../../support/requests';

// docs/contract.md section 8: the anonymous endpoints that take an address answer an address
// with an account and one without in the same time: medians within 25 % or 20 ms, whichever is
// larger, over 50 requests each, interleaved in a shuffled order so a change of machine load hits
// both alike. Mail
// goes out after the answer, through real SMTP (the test's catcher).
const ROUNDS = Number(process.env.TIMING_ROUNDS ?? 50);
const WARM_UP_ROUNDS = 3;
const PASSWORD = 'violet-harbour-71';

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * One probe: a request for an address with an account, and one for an address without. Resend
 * and reset ask for one address each time on both sides, as a prober compares two addresses (a
 * first request for an address counts it in a new mail-limit row, a later one updates that row,
 * with or without an account); sign-up needs a new address every time on its "without" side.
 */
interface Pair {
  name: string;
  path: string;
  existing: (round: number) => unknown;
  missing: (round: number) => unknown;
}

const PAIRS: Pair[] = [
  {
    name: 'sign-up',
    path: '/auth/sign-up/',
    existing: (i) => ({
      username: `taken-probe-${i}`,
      email: 'timing-owner@example.com',
      password: PASSWORD,
    }),
    missing: (i) => ({
      username: `new-probe-${i}`,
      email: `new-probe-${i}@example.com`,
      password: PASSWORD,
    }),
  },
  {
    name: 'resend',
    path: '/auth/email/resend/',
    existing: () => ({ email: 'timing-unverified@example.com' }),
    missing: () => ({ email: 'nobody-resend@example.com' }),
  },
  {
    name: 'password-reset',
    path: '/auth/password-reset/',
    existing: () => ({ email: 'timing-owner@example.com' }),
    missing: () => ({ email: 'nobody-reset@example.com' }),
  },
];

describe('enumeration-safe timing of the account endpoints over next start on pglite', () => {
  let kit: KitServer | null = null;
  let mail: TestMailCatcher;
  beforeAll(async () => {
    mail = await startTestMailCatcher();
    kit = await startWarmKit('pglite', {
      env: {
        AUTH_APP_URL: 'https://app.example.com',
        SMTP_URL: mail.smtpUrl,
        AUTH_LOG_LEVEL: 'warn',
        // The per-recipient mail limit would stop the mail to the one existing address after five
        // requests (answered alike: tested elsewhere), and with no address header the global rule
        // would hold every anonymous account request past 100; here every request does its full
        // work.
        AUTH_THROTTLE: 'username=5/900,address=30/900,global=100000/900,mail=100000/3600',
      },
      users: [
        {
          username: 'timing-owner',
          password: PASSWORD,
          email: 'timing-owner@example.com',
          emailVerified: true,
        },
        {
          username: 'timing-unverified',
          password: PASSWORD,
          email: 'timing-unverified@example.com',
        },
      ],
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await mail?.close();
  });

  it(
    'answers an address with an account and one without alike: same status and body, medians within 25 % or 20 ms',
    { timeout: 900_000 },
    async () => {
      const client = new HttpClient(kit!.url);
      const times: Record<string, { existing: number[]; missing: number[] }> = {};
      const answers: Record<string, Set<string>> = {};
      for (const pair of PAIRS) {
        times[pair.name] = { existing: [], missing: [] };
        answers[pair.name] = new Set();
      }
      const probes = PAIRS.flatMap((pair) =>
        (['existing', 'missing'] as const).map((side) => ({ pair, side })),
      );
      // A new order every round (seeded, so a run can be repeated): a request that mails leaves
      // work behind it (the token, the SMTP delivery after the answer), which slows whatever
      // comes next a little; shuffled, both sides of each pair follow it equally often.
      let seed = 20261202;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
        const order = [...probes];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        for (const { pair, side } of order) {
          const start = performance.now();
          const response = await client.post(pair.path, pair[side](round));
          const text = await response.text();
          const elapsed = performance.now() - start;
          answers[pair.name]!.add(`${response.status} ${text}`);
          if (round >= WARM_UP_ROUNDS) times[pair.name]![side].push(elapsed);
        }
      }
      const lines: string[] = [];
      for (const pair of PAIRS) {
        // One answer, status and body, whatever the address.
        expect([...answers[pair.name]!]).toHaveLength(1);
        expect([...answers[pair.name]!][0]).toMatch(/^202 /);
        const existing = median(times[pair.name]!.existing);
        const missing = median(times[pair.name]!.missing);
        lines.push(
          `  ${pair.name.padEnd(15)} existing ${existing.toFixed(1).padStart(7)}  missing ${missing.toFixed(1).padStart(7)}`,
        );
        const allowed = Math.max(0.25 * Math.min(existing, missing), 20);
        expect(
          Math.abs(existing - missing),
          `${pair.name}: ${existing} vs ${missing}`,
        ).toBeLessThanOrEqual(allowed);
      }
      console.log(
        `[timing] account endpoints, medians over ${ROUNDS} requests each (ms):\n${lines.join('\n')}`,
      );
    },
  );
});
