/** Helpers for the account suites (docs/contract.md section 8): mailed links, test kits. */
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import type { OutgoingMail } from '@/auth/accounts/mail';
import type { AuthEnv } from '@/auth/config/env';
import type { AuthOptions } from '@/auth/config/types';
import type { IssuedTokens } from '@/auth/sessions/issue';
import type { AccessTokenClaims } from '@/auth/tokens/types';
import { startTestKit, type TestKit } from './auth-context';

/** The app origin the account suites configure: every link in mail must start with it. */
export const APP_URL = 'https://app.example.com';

/** A password the rules accept for any of the suites' users. */
export const GOOD_PASSWORD = 'violet-harbour-71';

/** startTestKit with mail configured (AUTH_APP_URL, an SMTP URL that the flows never reach). */
export function startAccountsKit(
  options: AuthOptions = {},
  env: Partial<AuthEnv> = {},
): Promise<TestKit> {
  return startTestKit(options, { appUrl: APP_URL, smtpUrl: 'smtp://127.0.0.1:9', ...env });
}

/** The links a mail carries in its plain-text part (each on a line of its own). */
export function linksOf(text: string): string[] {
  return text.split('\n').filter((line) => /^https?:\/\//.test(line));
}

/**
 * The token of the one link to `page` in a mail: asserts the link is `<APP_URL><page>#token=...`
 * in the text part, on its own line, and in the HTML part too.
 */
export function tokenIn(mail: OutgoingMail | undefined, page: string): string {
  expect(mail?.message).toBeTruthy();
  const { text, html } = mail!.message!;
  const links = linksOf(text).filter((link) => link.startsWith(`${APP_URL}${page}#token=`));
  expect(links).toHaveLength(1);
  const token = decodeURIComponent(links[0]!.slice(`${APP_URL}${page}#token=`.length));
  expect(html).toContain(`${APP_URL}${page}#token=${token}`);
  return token;
}

/** The claims of an issued access token, as verifyBearer would give them. */
export function claimsOf(issued: Pick<IssuedTokens, 'accessToken'>): AccessTokenClaims {
  return decodeJwt(issued.accessToken) as AccessTokenClaims;
}

/** The error a promise rejects with (or fails the test when it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error as Error,
  );
  expect(outcome, 'expected a refusal').not.toBeNull();
  return outcome!;
}
