import { describe, expect, it } from 'vitest';
import { totpCode } from '@/auth/mfa/totp';
import { expectError } from '../../support/assertions';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS } from '../../support/kit-servers';
import { useKit, usersWithPassword } from '../../support/kit-suite';
import { PATHS, signIn } from '../../support/requests';

// docs/contract.md section 9: "after the fifth wrong code the token is dead", for wrong codes
// sent all at once too. Each check claims its slot on the token before the code is looked at,
// so of twenty parallel wrong codes five are checked (401 authentication_failed) and fifteen
// find the token dead (401 token_not_valid); the right code after them is dead as well.

const PASSWORD = 'correct-horse-battery';

describe.each(HTTP_BACKENDS)(
  'parallel wrong codes on one mfa_token over next start on %s',
  (backend) => {
    // A username limit far above the token's, so only the token's own limit is under test.
    const kit = useKit(backend, {
      env: { AUTH_THROTTLE: 'username=100/900,address=1000/900' },
      users: usersWithPassword(PASSWORD, ['parallel']),
    });

    it('checks five of twenty parallel wrong codes; the other fifteen and the right code are token_not_valid', async (context) => {
      const { url } = kit(context);
      const client = new HttpClient(url);
      const { body } = await signIn(client, 'parallel', PASSWORD);
      const bearer = { Authorization: `Bearer ${body.access_token}` };
      const setup = await client.post('/auth/mfa/totp/setup/', {}, bearer);
      const { secret } = (await setup.json()) as { secret: string };
      const confirm = await client.post(
        '/auth/mfa/totp/confirm/',
        { code: totpCode(secret, new Date()) },
        bearer,
      );
      expect(confirm.status).toBe(200);

      const first = await new HttpClient(url).post(PATHS.signIn, {
        username: 'parallel',
        password: PASSWORD,
      });
      const { mfa_token } = (await first.json()) as { mfa_token: string };
      // The next step's code: accepted (one step of drift) and not used by the confirmation.
      const right = totpCode(secret, new Date(Date.now() + 30_000));
      const wrong = right === '000000' ? '111111' : '000000';
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const response = await new HttpClient(url).post('/auth/mfa/verify/', {
            mfa_token,
            code: wrong,
          });
          return {
            status: response.status,
            code: ((await response.json()) as { code?: string }).code,
          };
        }),
      );
      const counts = new Map<string, number>();
      for (const { status, code } of answers)
        counts.set(`${status} ${code}`, (counts.get(`${status} ${code}`) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({
        '401 authentication_failed': 5,
        '401 token_not_valid': 15,
      });
      await expectError(
        await new HttpClient(url).post('/auth/mfa/verify/', { mfa_token, code: right }),
        401,
        'token_not_valid',
      );
    });
  },
);
