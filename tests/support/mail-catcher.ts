// The local mail catcher for tests: a real SMTP server in the test process, on free ports, that
// the kit under test mails through. HTTP suites (tests/integration) and browser journeys
// (tests/e2e) use it alike: start it, give the kit `SMTP_URL: mail.smtpUrl` (and an
// `AUTH_APP_URL`), do what sends mail, then `await mail.waitForMail({ to })`.
import { startMailCatcher, type CaughtMessage, type MailCatcher } from '@/dev/mail-catcher/server';

export type { CaughtMessage };

/** Which mail to wait for: one to this address (any case), optionally with this subject. */
export interface MailQuery {
  to: string;
  /** A string the subject contains, or a pattern it matches. */
  subject?: string | RegExp;
}

/** A mail catcher started for a test file. */
export interface TestMailCatcher {
  /** `smtp://127.0.0.1:<port>`, for the kit's `SMTP_URL`. */
  smtpUrl: string;
  /** The inbox page, `http://127.0.0.1:<port>/`; its JSON API is `api/messages`. */
  inboxUrl: string;
  /**
   * The next mail matching `query`: the oldest one in the inbox that no earlier `waitForMail` of
   * this catcher returned, else the next to arrive. So two calls for the same address return its
   * first and second mail, and a re-sent link is never mistaken for the one before it. Rejects
   * after `timeoutMs` (default 10 s) naming the query and listing what the inbox holds instead.
   */
  waitForMail(query: MailQuery, timeoutMs?: number): Promise<CaughtMessage>;
  /** Every message in the inbox, newest first. */
  messages(): CaughtMessage[];
  /** Empties the inbox (what `waitForMail` already returned stays returned). */
  clear(): void;
  close(): Promise<void>;
  /** The catcher itself, for what the above does not cover. */
  catcher: MailCatcher;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function describeQuery({ to, subject }: MailQuery): string {
  const about = subject === undefined ? '' : ` with a subject matching ${String(subject)}`;
  return `a mail to ${to}${about}`;
}

/** Starts a catcher on free ports on 127.0.0.1, silent unless `log` is given. */
export async function startTestMailCatcher(
  options: { log?: (text: string) => void } = {},
): Promise<TestMailCatcher> {
  const catcher = await startMailCatcher({ smtpPort: 0, httpPort: 0, log: options.log ?? false });
  const returned = new Set<string>();
  return {
    smtpUrl: catcher.smtpUrl,
    inboxUrl: catcher.inboxUrl,
    async waitForMail(query, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const to = query.to.toLowerCase();
      const { subject } = query;
      const message = await catcher.waitForMessage(
        (m) =>
          !returned.has(m.id) &&
          m.to.includes(to) &&
          (subject === undefined ||
            (typeof subject === 'string' ? m.subject.includes(subject) : subject.test(m.subject))),
        timeoutMs,
        describeQuery(query),
      );
      returned.add(message.id);
      return message;
    },
    messages: () => catcher.messages(),
    clear: () => catcher.clear(),
    close: () => catcher.close(),
    catcher,
  };
}

/** The message's link to `pathname` (`/verify-email`, `/reset-password`); throws if it has none. */
export function findLink(message: CaughtMessage, pathname: string): string {
  const link = message.links.find((candidate) => new URL(candidate).pathname === pathname);
  if (!link) {
    throw new Error(
      `Mail #${message.id} ("${message.subject}") has no link to ${pathname}; its links: ${message.links.join(', ') || 'none'}`,
    );
  }
  return link;
}

/** The token a mailed link carries in its fragment (`…#token=<token>`); throws if it has none. */
export function tokenFromLink(link: string): string {
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
  if (!token) throw new Error(`The link ${link} carries no #token=`);
  return token;
}
