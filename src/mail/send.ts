import { log, type LogSettings } from '@/log';
import type { MailMessage } from './message';
import type { Mailer } from './transport';

/** How a delivery ended: sent, or why not (never the message, its links or the SMTP password). */
export type DeliveryResult = { sent: true } | { sent: false; reason: 'timeout' | 'smtp_error' };

class DeliveryTimeout extends Error {}

/**
 * Hands one message to the mailer within `timeoutSeconds`, and never throws: a mail server that
 * refuses, fails or stalls is reported (one log line, and the result the caller turns into the
 * `mail.failed` auth event), and whatever the caller changed before sending stands. The timer is
 * a hard bound on top of the transport's own timeouts: even a server that trickles a reply now
 * and then cannot hold the caller longer.
 */
export async function deliverMail(
  settings: LogSettings,
  mailer: Mailer,
  message: MailMessage & { from: string },
  { timeoutSeconds, kind }: { timeoutSeconds: number; kind: string },
): Promise<DeliveryResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryTimeout()), timeoutSeconds * 1000);
  });
  try {
    await Promise.race([mailer.send(message), expired]);
    log(settings, 'debug', 'mail sent', { kind });
    return { sent: true };
  } catch (error) {
    const reason = error instanceof DeliveryTimeout ? 'timeout' : 'smtp_error';
    // The error's own text names the failing step (ECONNREFUSED, a 5xx reply); nodemailer does
    // not put the password or the message into it.
    log(settings, 'error', 'mail failed', {
      kind,
      reason,
      error:
        error instanceof DeliveryTimeout
          ? null
          : String((error as Error)?.message ?? error).slice(0, 300),
    });
    return { sent: false, reason };
  } finally {
    clearTimeout(timer);
  }
}
