import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendHtml, sendJson } from '../idp-local/http';
import { renderInboxPage, renderMessagePage, renderNotFoundPage } from './html';
import type { Inbox } from './inbox';

const MESSAGE_PAGE = /^\/messages\/([^/]+)$/;
const MESSAGE_API = /^\/api\/messages\/([^/]+)$/;

function sendError(res: ServerResponse, status: number, error: string, detail: string): void {
  sendJson(res, status, { error, detail }, { 'Cache-Control': 'no-store' });
}

function allow(res: ServerResponse, methods: string): void {
  res.setHeader('Allow', methods);
  sendError(res, 405, 'method_not_allowed', `Use ${methods}`);
}

/** The `Host` values the inbox answers: the loopback names and the address it listens on. */
export function allowedHosts(listenHost: string, port: number): Set<string> {
  const names = [
    '127.0.0.1',
    'localhost',
    '[::1]',
    listenHost.includes(':') ? `[${listenHost}]` : listenHost,
  ];
  return new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
}

/** The message id in a path segment; a malformed escape matches no message. */
function idFrom(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return '';
  }
}

/**
 * Serves the inbox page (`/`, `/messages/:id`) and the JSON API the tests and tools use:
 * `GET /api/messages` (newest first), `GET /api/messages/:id`, `DELETE /api/messages`.
 */
export function handleInboxRequest(
  inbox: Inbox,
  hosts: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  // The inbox holds live sign-in links: a page on another site that rebinds its DNS name to
  // 127.0.0.1 must not read it, and such a request carries that site's name in `Host`.
  if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
    return sendError(res, 421, 'misdirected_request', 'Open the inbox at 127.0.0.1 or localhost');
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const method = req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';

  if (path === '/') {
    if (!read) return allow(res, 'GET');
    return sendHtml(res, 200, renderInboxPage(inbox.list(), inbox.capacity));
  }
  const page = MESSAGE_PAGE.exec(path);
  if (page) {
    if (!read) return allow(res, 'GET');
    const message = inbox.get(idFrom(page[1]));
    if (!message)
      return sendHtml(
        res,
        404,
        renderNotFoundPage('No such message (the inbox keeps the latest ones only).'),
      );
    return sendHtml(res, 200, renderMessagePage(message));
  }
  if (path === '/api/messages') {
    if (method === 'DELETE') {
      inbox.clear();
      res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
      return;
    }
    if (!read) return allow(res, 'GET, DELETE');
    return sendJson(res, 200, inbox.list(), { 'Cache-Control': 'no-store' });
  }
  const api = MESSAGE_API.exec(path);
  if (api) {
    if (!read) return allow(res, 'GET');
    const message = inbox.get(idFrom(api[1]));
    if (!message) return sendError(res, 404, 'not_found', 'No such message');
    return sendJson(res, 200, message, { 'Cache-Control': 'no-store' });
  }
  if (path.startsWith('/api/')) return sendError(res, 404, 'not_found', 'No such endpoint');
  sendHtml(res, 404, renderNotFoundPage('No such page.'));
}
