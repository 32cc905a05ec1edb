'use client';

import { useCallback, useEffect, useState } from 'react';
import { useAuth, type AccountInfo, type AuthClientErrorInfo, type SessionInfo } from '@/client';
import { Alert, TextLink } from '../_components/ui';
import { DeleteCard } from './DeleteCard';
import { EmailCard } from './EmailCard';
import { PasswordCard } from './PasswordCard';
import { SecurityCard } from './SecurityCard';
import { SessionsCard } from './SessionsCard';

/**
 * The parts of the account page that call the Bearer endpoints through useAuth(): the account's
 * state (GET /auth/account/) and its sessions, loaded once the hook is signed in.
 */
export function AccountSections({
  email,
  passkeysOffered = false,
}: {
  email: string;
  passkeysOffered?: boolean;
}) {
  const { status, getAccount, listSessions } = useAuth();
  const [account, setAccount] = useState<AccountInfo | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [sessionsError, setSessionsError] = useState<AuthClientErrorInfo | null>(null);

  const showSessions = useCallback((result: Awaited<ReturnType<typeof listSessions>>) => {
    if (result.ok) {
      setSessions(result.value);
      setSessionsError(null);
    } else setSessionsError(result.error);
  }, []);
  const loadSessions = useCallback(
    async () => showSessions(await listSessions()),
    [listSessions, showSessions],
  );

  const signedIn = status === 'authenticated';
  useEffect(() => {
    if (!signedIn) return;
    let current = true;
    void getAccount().then((result) => {
      // Without the account's state the page still works: no badge, a password field shown.
      if (current && result.ok) setAccount(result.value);
    });
    void listSessions().then((result) => current && showSessions(result));
    return () => {
      current = false;
    };
  }, [signedIn, getAccount, listSessions, showSessions]);

  return (
    <>
      {status === 'unauthenticated' && (
        <Alert tone="warning" title="You are signed out in this tab">
          <p>
            Your session ended (you signed out, or it was ended from another device).{' '}
            <TextLink href="/login?next=/account">Sign in again</TextLink> to manage your account.
          </p>
        </Alert>
      )}
      <EmailCard email={email} account={account} />
      <PasswordCard account={account} onChanged={() => void loadSessions()} />
      <SessionsCard sessions={sessions} error={sessionsError} reload={loadSessions} />
      <SecurityCard account={account} passkeysOffered={passkeysOffered} />
      <DeleteCard account={account} />
    </>
  );
}
