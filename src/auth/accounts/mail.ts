import { describeError } from '@/db/errors';
import { issueMailToken } from '@/db/queries/mail-tokens';
import type { MailTokenPurpose } from '@/db/schema';
import { deliverMail, smtpMailer, type Mailer, type MailMessage } from '@/mail';
import { log } from '@/log';
import type { AuthConfig } from '../config/types';
import type { AuthContext } from '../context';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { canonicalEmail } from '../identity';
import { mayMail } from '../throttle/accounts';
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
 * A mail a service decided to send, to be composed and sent after the answer. Composing a mail
 * with a link issues the link's token first (superseding the user's older ones), so that work too
 * happens after the answer: an address with an account and one without answer after the same
 * work (docs/contract.md section 8).
 */
export interface OutgoingMail {
  kind: MailKind;
  userId: number | null;
  /**
   * The recipient, counted against the per-recipient limit of this kind of mail when (and only
   * when) the mail is about to be sent.
   */
  to: string;
  /** The request's time: the limit's window and the link's lifetime run from it. */
  now: Date;
  /** The message for the site; null when there is nothing to send (the user is gone). */
  compose(site: Site): Promise<MailMessage | null>;
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
 * The configured site (AUTH_APP_URL), or null when it is not set (a production server that
 * enabled no mail feature): links are never built from a request's Host.
 */
export function siteOf(config: Pick<AuthConfig, 'appUrl'>): Site | null {
  return config.appUrl ? { origin: config.appUrl, host: new URL(config.appUrl).host } : null;
}

/** A mail without a link of its own (a notice). */
export function noticeMail(
  input: { kind: MailKind; userId: number | null; to: string; now: Date },
  build: (site: Site) => MailMessage,
): OutgoingMail {
  return { ...input, compose: async (site) => build(site) };
}

/**
 * A mail carrying a link with a new token of `purpose` for the user, to `page`; the token is
 * issued when the mail is composed.
 */
export function linkMail(
  ctx: AuthContext,
  input: {
    kind: MailKind;
    userId: number;
    purpose: MailTokenPurpose;
    /** The address the link goes to (what the token proves). */
    email: string;
    page: string;
    now: Date;
  },
  build: (site: Site, link: string) => MailMessage,
): OutgoingMail {
  return {
    kind: input.kind,
    userId: input.userId,
    to: input.email,
    now: input.now,
    async compose(site) {
      const token = await issueLinkToken(ctx, input);
      return token ? build(site, tokenLink(site.origin, input.page, token)) : null;
    },
  };
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

/** Logs a mail that the per-recipient limit held back (the answer was the same as ever). */
function logMailThrottled(config: AuthConfig, kind: MailKind, userId: number | null): void {
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
 *
 * Each mail first counts against the limit of its kind for its recipient ({@link mayMail}): only
 * mail that is really about to go out counts, so requests naming an address without an account
 * never block its owner's mail, and a kind's count never blocks another kind (a flood of resend
 * or sign-up requests leaves the owner's password reset alone). A mail past its limit is skipped
 * before its link's token is issued, so it supersedes no working link.
 */
export async function deliverOutbox(
  ctx: Pick<AuthContext, 'config' | 'db'>,
  outbox: Outbox,
  client: ClientInfo,
  mailer?: Mailer,
): Promise<void> {
  const { config } = ctx;
  for (const mail of outbox) {
    try {
      const site = siteOf(config);
      if (!site) {
        log(config, 'error', 'mail not sent: AUTH_APP_URL is not set, so no link can be built', {
          kind: mail.kind,
        });
        await reportFailure(config, mail, client, 'no_app_url');
        continue;
      }
      const recipient = canonicalEmail(mail.to);
      if (recipient && !(await mayMail(ctx.db, config, { kind: mail.kind, recipient }, mail.now))) {
        logMailThrottled(config, mail.kind, mail.userId);
        continue;
      }
      let message: MailMessage | null;
      try {
        message = await mail.compose(site);
      } catch (error) {
        // The database failed while issuing the link's token: nothing to send, and said so.
        log(config, 'error', 'mail not sent: it could not be composed', {
          kind: mail.kind,
          error: describeError(error),
        });
        await reportFailure(config, mail, client, 'compose_error');
        continue;
      }
      if (!message) continue;
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
        { ...message, from: config.mail.from },
        { timeoutSeconds: config.mail.timeoutSeconds, kind: mail.kind },
      );
      if (!result.sent) await reportFailure(config, mail, client, result.reason);
    } catch (error) {
      // Nothing here should throw (deliverMail never does); if it does, the next mail still goes.
      log(config, 'error', 'mail not sent', { kind: mail.kind, error: String(error) });
    }
  }
}
