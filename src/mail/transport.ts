import { createTransport } from 'nodemailer';
import type { MailMessage } from './message';

/** Something that delivers a message, or throws: SMTP in production, a capture in the flow tests. */
export interface Mailer {
  send(message: MailMessage & { from: string }): Promise<void>;
}

/** What the SMTP mailer needs from the configuration (`config.mail`). */
export interface SmtpSettings {
  smtpUrl: string;
  timeoutSeconds: number;
}

const cache = globalThis as unknown as { __authKitMailers?: Map<string, Mailer> };

/**
 * The SMTP mailer for `SMTP_URL` (nodemailer): `smtps://` speaks TLS from the first byte,
 * `smtp://` upgrades with STARTTLS when the server offers it; `user:pass@` authenticates. Each
 * message opens its own connection (no pool): mail is rare (sign-ups, resets), and a connection
 * the provider dropped while idle can then never fail a send. Every phase (connecting, the
 * greeting, each reply) is bounded by the mail timeout, so a stalled server cannot hold a
 * socket for nodemailer's default minutes. One mailer per URL per process.
 */
export function smtpMailer({ smtpUrl, timeoutSeconds }: SmtpSettings): Mailer {
  const mailers = (cache.__authKitMailers ??= new Map());
  const key = `${timeoutSeconds}|${smtpUrl}`;
  let mailer = mailers.get(key);
  if (!mailer) {
    const timeout = Math.ceil(timeoutSeconds * 1000);
    const transport = createTransport({
      url: smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      dnsTimeout: timeout,
    });
    mailer = {
      async send(message: MailMessage & { from: string }) {
        await transport.sendMail(message);
      },
    };
    mailers.set(key, mailer);
  }
  return mailer;
}
