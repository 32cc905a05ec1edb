/** One e-mail as the kit sends it: a plain-text part and an HTML part with the same content. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A link in a mail: its text in the HTML part and the line before it in the plain-text part. */
export interface MailLink {
  label: string;
  url: string;
}

/** A block of a mail's body: a paragraph, or a link. */
export type MailBlock = string | MailLink;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * Builds a message from paragraphs and links. In the plain-text part each link stands on a line
 * of its own (mail clients make it clickable, and nothing wraps it); in the HTML part every value
 * is escaped, so a name such as `<script>` arrives as text. The HTML is deliberately simple: no
 * images, no remote content, no tracking.
 */
export function composeMessage({
  to,
  subject,
  blocks,
}: {
  to: string;
  subject: string;
  blocks: readonly MailBlock[];
}): MailMessage {
  const text = blocks
    .map((block) => (typeof block === 'string' ? block : `${block.label}:\n${block.url}`))
    .join('\n\n');
  const body = blocks
    .map((block) =>
      typeof block === 'string'
        ? `<p>${escapeHtml(block)}</p>`
        : `<p><a href="${escapeHtml(block.url)}">${escapeHtml(block.label)}</a></p>`,
    )
    .join('\n');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem">',
    body,
    '</body></html>',
  ].join('\n');
  return { to, subject, text: `${text}\n`, html };
}
