import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { Envelope } from './message';

/** The largest message accepted; the kit's mails are a few kilobytes, and the inbox holds 200. */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** Called once per message, after it is parsed and before the client hears "250 OK". */
export type OnMail = (parsed: ParsedMail, envelope: Envelope) => void;

/** An SMTP error the client sees with its reply code. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Parses one DATA stream and hands it on; a rejection carries the SMTP reply code. */
async function parse(stream: SMTPServerDataStream): Promise<ParsedMail> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(stream);
  } catch (error) {
    throw smtpError(451, `Could not parse the message: ${(error as Error).message}`);
  }
  // smtp-server stops buffering past `size` but lets the DATA finish; refuse the message now.
  if (stream.sizeExceeded) throw smtpError(552, `Message exceeds ${MAX_MESSAGE_BYTES} bytes`);
  return parsed;
}

/**
 * An SMTP server that accepts every message for every recipient, on a local port.
 *
 * No TLS: STARTTLS is not offered, so nodemailer's `smtp://127.0.0.1:2525` sends in plain text
 * instead of trying an upgrade (smtp-server's built-in certificate has a published private key
 * anyway). Authentication is optional and any user name and password are accepted, so an
 * `SMTP_URL` with credentials works too; `allowInsecureAuth` lets AUTH run without TLS.
 */
export function createSmtpServer(onMail: OnMail): SMTPServer {
  return new SMTPServer({
    banner: 'Auth kit local mail catcher: nothing sent here leaves this machine',
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    size: MAX_MESSAGE_BYTES,
    disableReverseLookup: true,
    logger: false,
    // A pooled transport keeps idle connections open; closing waits this long for them at most.
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      const envelope: Envelope = {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
      };
      parse(stream)
        .then((parsed) => onMail(parsed, envelope))
        .then(() => callback(), callback);
    },
  });
}
