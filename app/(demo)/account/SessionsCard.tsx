'use client';

import { useState } from 'react';
import { useAuth, type AuthClientErrorInfo, type SessionInfo } from '@/client';
import { describeError } from '../_components/messages';
import { Alert, Badge, Button, Card, Icon, Spinner } from '../_components/ui';
import { describeDevice, relativeTime } from './devices';

/** The user's live sessions (GET /auth/sessions/), each with "Revoke", and "Sign out everywhere else". */
export function SessionsCard({
  sessions,
  error,
  reload,
}: {
  sessions: SessionInfo[] | null;
  error: AuthClientErrorInfo | null;
  reload(): Promise<void>;
}) {
  const { revokeSession, revokeOtherSessions } = useAuth();
  const [pending, setPending] = useState<string | null>(null);
  const [failure, setFailure] = useState<AuthClientErrorInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function run(
    key: string,
    action: () => Promise<{ ok: boolean; error?: AuthClientErrorInfo }>,
    done: string,
  ) {
    setPending(key);
    setFailure(null);
    setNotice(null);
    const result = await action();
    if (result.ok) {
      setNotice(done);
      await reload();
    } else setFailure(result.error ?? null);
    setPending(null);
  }

  const others = sessions?.filter((session) => !session.current) ?? [];
  // This device first, then the most recently used.
  const ordered = sessions
    ? [...sessions].sort(
        (a, b) =>
          Number(b.current) - Number(a.current) ||
          Date.parse(b.last_used) - Date.parse(a.last_used),
      )
    : null;
  const shownError = failure ?? error;
  return (
    <Card
      id="sessions"
      title="Where you’re signed in"
      description="Every browser and device with a live session. Revoke any you don’t recognise."
      footer={
        <Button
          variant="secondary"
          busy={pending === 'others'}
          disabled={others.length === 0 || pending !== null}
          onClick={() =>
            void run('others', () => revokeOtherSessions(), 'Every other device was signed out.')
          }
        >
          Sign out everywhere else
        </Button>
      }
    >
      <div className="space-y-4">
        {shownError && <Alert tone="error">{describeError(shownError)}</Alert>}
        {notice && <Alert tone="success">{notice}</Alert>}
        {!sessions && !error && (
          <p role="status" className="flex items-center gap-3 text-sm text-zinc-500">
            <Spinner /> Loading your sessions…
          </p>
        )}
        {ordered && (
          <ul
            className="divide-y divide-zinc-100 rounded-xl ring-1 ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800"
            data-testid="sessions"
          >
            {ordered.map((session) => (
              <li
                key={session.sid}
                className="flex flex-wrap items-center gap-x-4 gap-y-3 px-4 py-3.5"
                data-testid="session"
              >
                <span className="hidden size-10 shrink-0 items-center justify-center rounded-xl bg-zinc-100 text-zinc-600 sm:flex dark:bg-zinc-800 dark:text-zinc-300">
                  <Icon name="devices" className="size-5" />
                </span>
                <div className="min-w-0 flex-1">
                  <p
                    className="flex flex-wrap items-center gap-2 font-medium text-zinc-900 dark:text-white"
                    title={session.user_agent ?? undefined}
                  >
                    {describeDevice(session.user_agent)}
                    {session.current && <Badge tone="accent">This device</Badge>}
                  </p>
                  <p className="text-sm text-zinc-500 dark:text-zinc-400">
                    <span className="block sm:inline">
                      Active {relativeTime(session.last_used)}
                    </span>
                    <span className="hidden sm:inline"> · </span>
                    <span className="block sm:inline">
                      Signed in {relativeTime(session.created)}
                    </span>
                  </p>
                </div>
                {!session.current && (
                  <Button
                    variant="secondary"
                    busy={pending === session.sid}
                    disabled={pending !== null}
                    onClick={() =>
                      void run(
                        session.sid,
                        () => revokeSession(session.sid),
                        `${describeDevice(session.user_agent)} was signed out.`,
                      )
                    }
                  >
                    Revoke
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
