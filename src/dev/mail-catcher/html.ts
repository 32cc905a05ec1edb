// The inbox pages. Everything a message carries is untrusted (anyone who can reach the SMTP port
// writes it), so every value is escaped and the HTML part is shown only inside an iframe with
// `sandbox=""`: no scripts, no forms, no navigation of this page, an opaque origin. The page's own
// Content-Security-Policy (sendHtml: default-src 'none') also covers the iframe's srcdoc document,
// so not even an image is fetched from the sender's server.
import { escapeHtml } from '../idp-local/html';
import type { CaughtMessage } from './message';

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:60rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
p.note{color:#505a6b;font-size:.85rem;margin:0 0 1rem}
table{width:100%;border-collapse:collapse;font-size:.9rem}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{color:#505a6b;font-weight:600}td.when{white-space:nowrap;color:#505a6b}
a{color:#1d4ed8}:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dt{font-weight:600;color:#505a6b}dd{margin:0;overflow-wrap:anywhere}
ul.links{padding-left:1.2rem}ul.links li{overflow-wrap:anywhere;margin:.25rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f5f7;padding:1rem;border-radius:4px;font-size:.85rem}
iframe{width:100%;height:28rem;border:1px solid #c9ced6;border-radius:4px;background:#fff}`;

function renderPage(title: string, body: string, { refresh = false } = {}): string {
  // The list refreshes itself, so a mail the app just sent shows up without a reload.
  const meta = refresh ? '\n<meta http-equiv="refresh" content="5">' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${meta}
<title>${escapeHtml(title)} · Local mail catcher</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`;
}

function when(message: CaughtMessage): string {
  return escapeHtml(message.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
}

function messageHref(message: CaughtMessage): string {
  return `/messages/${encodeURIComponent(message.id)}`;
}

/** The inbox: every message, newest first. */
export function renderInboxPage(messages: readonly CaughtMessage[], capacity: number): string {
  const rows = messages
    .map(
      (m) => `<tr>
<td class="when">${when(m)}</td>
<td>${escapeHtml(m.to.join(', '))}</td>
<td><a href="${escapeHtml(messageHref(m))}">${escapeHtml(m.subject || '(no subject)')}</a></td>
<td>${escapeHtml(m.from)}</td>
</tr>`,
    )
    .join('\n');
  const list =
    messages.length === 0
      ? '<p>No mail yet. Mail the app sends through this catcher shows up here.</p>'
      : `<table>
<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">From</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return renderPage(
    'Inbox',
    `<h1>Inbox</h1>
<p class="note">Local mail catcher: nothing sent here leaves this machine. The last ${capacity} messages are kept in memory, newest first; JSON at <a href="/api/messages">/api/messages</a>.</p>
${list}`,
    { refresh: true },
  );
}

/** One message: its headers, its links, the text part, and the HTML part in a sandboxed iframe. */
export function renderMessagePage(message: CaughtMessage): string {
  // Links come from extractLinks, so each is an http(s) URL; the fragment (#token=…) is kept and,
  // with Referrer-Policy: no-referrer on this page, never leaves in a Referer.
  const links =
    message.links.length === 0
      ? '<p>No links in the text part.</p>'
      : `<ul class="links">\n${message.links
          .map(
            (link) =>
              `<li><a href="${escapeHtml(link)}" rel="noreferrer">${escapeHtml(link)}</a></li>`,
          )
          .join('\n')}\n</ul>`;
  const html =
    message.html === null
      ? '<p>This message has no HTML part.</p>'
      : `<iframe sandbox="" title="HTML part of the message" srcdoc="${escapeHtml(message.html)}"></iframe>`;
  return renderPage(
    message.subject || '(no subject)',
    `<p><a href="/">← Inbox</a></p>
<h1>${escapeHtml(message.subject || '(no subject)')}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(message.from)}</dd>
<dt>To</dt><dd>${escapeHtml(message.to.join(', '))}</dd>
<dt>Received</dt><dd>${when(message)}</dd>
</dl>
<h2>Links</h2>
${links}
<h2>Text part</h2>
<pre>${escapeHtml(message.text)}</pre>
<h2>HTML part</h2>
${html}
<p class="note"><a href="/api/messages/${escapeHtml(encodeURIComponent(message.id))}">This message as JSON</a></p>`,
  );
}

/** A page for an unknown path or message. */
export function renderNotFoundPage(what: string): string {
  return renderPage(
    'Not found',
    `<p><a href="/">← Inbox</a></p>\n<h1>Not found</h1>\n<p>${escapeHtml(what)}</p>`,
  );
}
