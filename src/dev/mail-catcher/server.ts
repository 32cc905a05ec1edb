import type { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { allowedHosts, handleInboxRequest } from './http';
import { Inbox, type MessagePredicate } from './inbox';
import { formatForConsole, toCaughtMessage, type CaughtMessage, type Envelope } from './message';
import { createSmtpServer } from './smtp';

export type { CaughtMessage } from './message';
export type { MessagePredicate } from './inbox';

/** Options accepted by {@link startMailCatcher}. */
export interface MailCatcherOptions {
  /** SMTP port; 0 (the default) picks a free one. `npm run mail` uses 2525. */
  smtpPort?: number;
  /** Inbox page and JSON API port; 0 (the default) picks a free one. `npm run mail` uses 2526. */
  httpPort?: number;
  /** Address both servers listen on; default 127.0.0.1, so nothing off this machine reaches them. */
  host?: string;
  /** Where each received message is reported (a multi-line block); default console.log, false for silence. */
  log?: ((text: string) => void) | false;
  /** How many messages the inbox keeps before dropping the oldest; default 200. */
  maxMessages?: number;
}

/** A running mail catcher. */
export interface MailCatcher {
  /** What to put in `SMTP_URL`: `smtp://127.0.0.1:<smtpPort>`. */
  smtpUrl: string;
  /** The inbox page, `http://127.0.0.1:<httpPort>/`; the JSON API is under `api/messages`. */
  inboxUrl: string;
  smtpPort: number;
  httpPort: number;
  /** Every message still in the inbox, newest first. */
  messages(): CaughtMessage[];
  /**
   * The oldest message in the inbox matching `predicate`, else the next one to arrive. Rejects
   * after `timeoutMs` (default 5000) with an error naming `description` and listing what the
   * inbox holds instead.
   */
  waitForMessage(
    predicate: MessagePredicate,
    timeoutMs?: number,
    description?: string,
  ): Promise<CaughtMessage>;
  /** Empties the inbox. */
  clear(): void;
  /** Stops both servers, drops open connections and rejects pending waits. */
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** What http.Server and SMTPServer share: listening, and an `error` event when that fails. */
interface Listener extends EventEmitter {
  listen(port: number, host: string, callback: () => void): NetServer;
}

function listen(server: Listener, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listener = server.listen(port, host, () => {
      server.off('error', reject);
      resolve((listener.address() as AddressInfo).port);
    });
  });
}

/** Starts the SMTP server and the inbox page, and resolves once both listen. */
export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log === false ? () => {} : (options.log ?? console.log);
  const inbox = new Inbox(options.maxMessages ?? 200);
  let inboxUrl = '';
  let sequence = 0;

  const onMail = (parsed: ParsedMail, envelope: Envelope) => {
    const message = toCaughtMessage(String(++sequence), parsed, envelope, new Date());
    inbox.add(message);
    log(formatForConsole(message, `${inboxUrl}messages/${message.id}`));
  };
  const smtp = createSmtpServer(onMail);
  let hosts: ReadonlySet<string> = new Set();
  const http = createServer({ requestTimeout: 30_000 }, (req, res) =>
    handleInboxRequest(inbox, hosts, req, res),
  );

  const smtpPort = await listen(smtp, options.smtpPort ?? 0, host);
  // A client that drops its connection is reported as an error; it must not stop the catcher.
  smtp.on('error', (error) => console.error(`[mail-catcher] SMTP: ${error.message}`));
  let httpPort: number;
  try {
    httpPort = await listen(http, options.httpPort ?? 0, host);
  } catch (error) {
    smtp.close();
    throw error;
  }
  hosts = allowedHosts(host, httpPort);
  inboxUrl = `http://${formatHost(host)}:${httpPort}/`;

  return {
    smtpUrl: `smtp://${formatHost(host)}:${smtpPort}`,
    inboxUrl,
    smtpPort,
    httpPort,
    messages: () => inbox.list(),
    waitForMessage: (predicate, timeoutMs = DEFAULT_WAIT_MS, description) =>
      inbox.waitFor(predicate, timeoutMs, description),
    clear: () => inbox.clear(),
    close: async () => {
      inbox.close();
      await Promise.all([
        new Promise<void>((resolve) => {
          smtp.close(() => resolve());
          // Idle pooled connections would hold close() for closeTimeout; end them now.
          for (const connection of smtp.connections) connection.close();
        }),
        new Promise<void>((resolve, reject) => {
          http.close((error) => (error ? reject(error) : resolve()));
          http.closeAllConnections();
        }),
      ]);
    },
  };
}
