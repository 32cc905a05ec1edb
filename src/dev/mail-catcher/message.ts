import type { AddressObject, ParsedMail } from 'mailparser';

/** One message the catcher received, as the inbox page, the JSON API and the tests see it. */
export interface CaughtMessage {
  /** Sequence number as a string ("1", "2", …), unique for the life of one catcher. */
  id: string;
  /** When the catcher received it, as an ISO 8601 instant. */
  receivedAt: string;
  /** The `From` header as text (`Auth kit <no-reply@localhost>`), or the envelope sender. */
  from: string;
  /** Every recipient address, lowercased: the envelope's RCPT TO list (To, Cc and Bcc alike). */
  to: string[];
  subject: string;
  /** The plain-text part (mailparser derives one from the HTML part when there is none). */
  text: string;
  /** The HTML part, untrusted: shown only in a sandboxed iframe. Null when there is none. */
  html: string | null;
  /** Every http(s) link in the text part, in order, each once. */
  links: string[];
}

/** The SMTP envelope of one transaction. */
export interface Envelope {
  mailFrom: string | null;
  rcptTo: string[];
}

// A link runs to the first space, quote or angle bracket; punctuation a sentence puts after it is
// not part of it ("Open https://x/a." links to https://x/a).
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/** Every http(s) link in `text`, in order of appearance, duplicates dropped. */
export function extractLinks(text: string): string[] {
  const links = new Set<string>();
  for (const [match] of text.matchAll(LINK)) {
    const link = match.replace(TRAILING_PUNCTUATION, '');
    if (URL.canParse(link)) links.add(link);
  }
  return [...links];
}

function addressText(header: AddressObject | AddressObject[] | undefined): string {
  if (!header) return '';
  return (Array.isArray(header) ? header : [header]).map((h) => h.text).join(', ');
}

/** Builds the stored message from mailparser's result and the SMTP envelope. */
export function toCaughtMessage(
  id: string,
  parsed: ParsedMail,
  envelope: Envelope,
  receivedAt: Date,
): CaughtMessage {
  const text = parsed.text ?? '';
  return {
    id,
    receivedAt: receivedAt.toISOString(),
    from: addressText(parsed.from) || envelope.mailFrom || '',
    to: envelope.rcptTo.map((address) => address.toLowerCase()),
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    links: extractLinks(text),
  };
}

// Mail content is untrusted: a subject carrying terminal escape sequences must not repaint the
// developer's terminal, so control characters (C0, DEL, C1) are shown as U+FFFD.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function printable(value: string): string {
  return value.replace(CONTROL, '\uFFFD');
}

/**
 * The console block for one message: who, what, and each link on a line of its own, bare, so a
 * terminal makes it clickable and a double-click selects all of it.
 */
export function formatForConsole(message: CaughtMessage, pageUrl: string): string {
  const lines = [
    `[mail-catcher] Mail #${message.id} received`,
    `  From:    ${printable(message.from)}`,
    `  To:      ${printable(message.to.join(', '))}`,
    `  Subject: ${printable(message.subject)}`,
  ];
  if (message.links.length > 0) {
    lines.push('  Links:');
    for (const link of message.links) lines.push(`  ${printable(link)}`);
  } else {
    lines.push('  (no links in the text part)');
  }
  lines.push(`  Inbox:   ${pageUrl}`);
  return lines.join('\n');
}
