/** Helpers for the account suites (docs/contract.md section 8): mailed links, test kits. */
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import type { LinkOutcome } from '@/auth/accounts/email';
import { siteOf, type OutgoingMail } from '@/auth/accounts/mail';
import type { AuthContext } from '@/auth/context';
import type { MailMessage } from '@/mail';
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
 * Composes an outgoing mail as delivery does after the answer (a link mail issues its token
 * now), with the kit's configured site; fails the test when there is nothing to send.
 */
export async function composed(
  ctx: Pick<AuthContext, 'config'>,
  mail: OutgoingMail | undefined,
): Promise<MailMessage> {
  expect(mail, 'expected a mail in the outbox').toBeDefined();
  const site = siteOf(ctx.config);
  expect(site, 'AUTH_APP_URL is set').not.toBeNull();
  const message = await mail!.compose(site!);
  expect(message, 'the mail composes').not.toBeNull();
  return message!;
}

/**
 * The token of the one link to `page` in a mail: asserts the link is `<APP_URL><page>#token=...`
 * in the text part, on its own line, and in the HTML part too.
 */
export function tokenIn(message: MailMessage, page: string): string {
  const { text, html } = message;
  const links = linksOf(text).filter((link) => link.startsWith(`${APP_URL}${page}#token=`));
  expect(links).toHaveLength(1);
  const token = decodeURIComponent(links[0]!.slice(`${APP_URL}${page}#token=`.length));
  expect(html).toContain(`${APP_URL}${page}#token=${token}`);
  return token;
}

/** The claims of an issued access token, as verifyBearer would give them. */
/** The session a used link opened (a failed test when it asked for a second step instead). */
export function signedInByLink(outcome: LinkOutcome): IssuedTokens {
  expect(outcome.secondStep, 'expected a session, not a second step').toBeUndefined();
  return outcome as IssuedTokens;
}

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
