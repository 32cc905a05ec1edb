import { issueMailToken } from '@/db/queries/mail-tokens';
import type { MailTokenPurpose } from '@/db/schema';
import { deliverMail, smtpMailer, type Mailer, type MailMessage } from '@/mail';
import { log } from '@/log';
import type { AuthConfig } from '../config/types';
import type { AuthContext } from '../context';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { newMailToken } from './tokens';

/** Which mail (the `mail` member of `mail.failed`, and the log lines). */
export type MailKind =
  | 'verify_email'
  | 'account_exists'
  | 'password_reset'
  | 'email_change_confirm'
  | 'email_change_notice'
  | 'email_change_taken';

/**
 * A mail a service decided to send: composed, or null when it could not be (no AUTH_APP_URL to
 * build its links from; delivery reports that as a failure).
 */
export interface OutgoingMail {
  kind: MailKind;
  userId: number | null;
  message: MailMessage | null;
}

/**
 * The mail a request produced, delivered after the answer has gone out (the handlers pass it to
 * Next's `after()`): sending never holds the answer, and answers that send a mail and answers
 * that send none take the same time (docs/contract.md section 8).
 */
export type Outbox = OutgoingMail[];

/** The pages the links point at (the demo's, on AUTH_APP_URL). */
export const PAGES = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  forgotPassword: '/forgot-password',
  signIn: '/login',
} as const;

/** The site a mail speaks of: its origin (AUTH_APP_URL) and its host, the site's name in mail. */
export interface Site {
  origin: string;
  host: string;
}

/**
 * Composes a mail with the configured site, or gives null when AUTH_APP_URL is not set (a
 * production server that enabled no mail feature): links are never built from a request.
 */
export function compose(
  config: Pick<AuthConfig, 'appUrl'>,
  build: (site: Site) => MailMessage,
): MailMessage | null {
  if (!config.appUrl) return null;
  return build({ origin: config.appUrl, host: new URL(config.appUrl).host });
}

/**
 * A link with a token: `<AUTH_APP_URL><page>#token=<token>`. Built only from the configured
 * origin, never from the request's Host or X-Forwarded-Host (a forged header would otherwise
 * mail the victim a link to the attacker's site: reset poisoning). The token is in the fragment,
 * which browsers never send to a server or put in a Referer.
 */
export function tokenLink(origin: string, page: string, token: string): string {
  return `${origin}${page}#token=${encodeURIComponent(token)}`;
}

/**
 * Stores a new token of `purpose` for a user (superseding the older ones) and returns it for the
 * link, or null when the user is gone meanwhile.
 */
export async function issueLinkToken(
  ctx: AuthContext,
  input: { userId: number; purpose: MailTokenPurpose; email: string; now: Date },
): Promise<string | null> {
  const lifetime =
    input.purpose === 'reset_password'
      ? ctx.config.passwordResetLifetimeSeconds
      : ctx.config.emailVerificationLifetimeSeconds;
  const { token, hash } = newMailToken();
  const stored = await issueMailToken(ctx.db, {
    userId: input.userId,
    purpose: input.purpose,
    tokenHash: hash,
    email: input.email,
    now: input.now,
    expiresAt: new Date(input.now.getTime() + lifetime * 1000),
  });
  return stored ? token : null;
}

/** Logs a mail that the per-recipient limit held back (the answer is the same as ever). */
export function logMailThrottled(config: AuthConfig, kind: MailKind, userId: number | null): void {
  log(config, 'warn', 'mail not sent: too many mails to this address within the window', {
    kind,
    userId,
  });
}

/** Reports a mail that could not go out: a log line (deliverMail's or this one) and `mail.failed`. */
async function reportFailure(
  config: AuthConfig,
  mail: OutgoingMail,
  client: ClientInfo,
  reason: string,
): Promise<void> {
  await emitAuthEvent(config, {
    type: 'mail.failed',
    userId: mail.userId,
    sid: null,
    address: client.address,
    reason,
    mail: mail.kind,
  });
}

/**
 * Delivers every mail of an outbox, one after the other, each within `config.mail.timeoutSeconds`,
 * and never throws: a failure is logged and emitted as `mail.failed`; the account change the mail
 * announces stands. `mailer` replaces SMTP (the flow tests capture mail with it).
 */
export async function deliverOutbox(
  ctx: Pick<AuthContext, 'config'>,
  outbox: Outbox,
  client: ClientInfo,
  mailer?: Mailer,
): Promise<void> {
  const { config } = ctx;
  for (const mail of outbox) {
    try {
      if (!mail.message) {
        log(config, 'error', 'mail not sent: AUTH_APP_URL is not set, so no link can be built', {
          kind: mail.kind,
        });
        await reportFailure(config, mail, client, 'no_app_url');
        continue;
      }
      const via =
        mailer ??
        (config.mail.smtpUrl
          ? smtpMailer({ smtpUrl: config.mail.smtpUrl, timeoutSeconds: config.mail.timeoutSeconds })
          : null);
      if (!via) {
        log(config, 'error', 'mail not sent: SMTP_URL is not set', { kind: mail.kind });
        await reportFailure(config, mail, client, 'not_configured');
        continue;
      }
      const result = await deliverMail(
        config,
        via,
        { ...mail.message, from: config.mail.from },
        { timeoutSeconds: config.mail.timeoutSeconds, kind: mail.kind },
      );
      if (!result.sent) await reportFailure(config, mail, client, result.reason);
    } catch (error) {
      // Nothing here should throw (deliverMail never does); if it does, the next mail still goes.
      log(config, 'error', 'mail not sent', { kind: mail.kind, error: String(error) });
    }
  }
}
