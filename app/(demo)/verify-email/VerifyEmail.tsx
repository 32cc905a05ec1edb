'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth, type AuthClientErrorInfo } from '@/client';
import { takeFragmentToken } from '../_components/fragment';
import { describeError } from '../_components/messages';
import { ResendVerification } from '../_components/ResendVerification';
import { Alert, AuthFrame, Button, ButtonLink, Icon, Spinner, TextLink } from '../_components/ui';

type Phase =
  | { name: 'reading' }
  | { name: 'missing' }
  | { name: 'verifying' }
  | { name: 'verified' }
  | { name: 'failed'; error: AuthClientErrorInfo; token: string };

/**
 * The page a verification (or e-mail change) link opens: it reads the token from the fragment,
 * POSTs it to /auth/email/verify/, and the answer signs the browser in.
 */
export function VerifyEmail() {
  const { verifyEmail, user } = useAuth();
  const [phase, setPhase] = useState<Phase>({ name: 'reading' });
  const started = useRef(false);

  const verify = useCallback(
    async (token: string) => {
      setPhase({ name: 'verifying' });
      const result = await verifyEmail(token);
      setPhase(result.ok ? { name: 'verified' } : { name: 'failed', error: result.error, token });
    },
    [verifyEmail],
  );

  useEffect(() => {
    // A token can be used once: React may run effects twice in development.
    if (started.current) return;
    started.current = true;
    const token = takeFragmentToken();
    void Promise.resolve().then(() => (token ? verify(token) : setPhase({ name: 'missing' })));
  }, [verify]);

  if (phase.name === 'reading' || phase.name === 'verifying')
    return (
      <AuthFrame icon={<Icon name="mail" />} title="Confirming your e-mail address…">
        <p
          role="status"
          className="flex items-center justify-center gap-3 text-sm text-zinc-600 dark:text-zinc-400"
        >
          <Spinner className="text-accent-600" /> One moment.
        </p>
      </AuthFrame>
    );

  if (phase.name === 'verified')
    return (
      <AuthFrame
        icon={<Icon name="check" />}
        title="Your e-mail address is confirmed"
        description={
          user?.username ? (
            <>
              You are signed in as{' '}
              <strong className="text-zinc-900 dark:text-white" data-testid="verified-username">
                {user.username}
              </strong>
              .
            </>
          ) : (
            'You are signed in.'
          )
        }
      >
        <div className="space-y-5" data-testid="email-verified">
          <Alert tone="success">
            <p>Thanks for confirming. Your account is ready to use.</p>
          </Alert>
          <div className="grid gap-3 sm:grid-cols-2">
            <ButtonLink href="/account" prefetch={false}>
              Go to your account
            </ButtonLink>
            <ButtonLink href="/dashboard" prefetch={false} variant="secondary">
              Open the dashboard
            </ButtonLink>
          </div>
        </div>
      </AuthFrame>
    );

  if (phase.name === 'failed' && phase.error.code !== 'invalid_token')
    return (
      <AuthFrame icon={<Icon name="alert" />} title="We could not confirm your address yet">
        <div className="space-y-5">
          <Alert tone="error">{describeError(phase.error)}</Alert>
          <Button className="w-full" onClick={() => void verify(phase.token)}>
            Try again
          </Button>
        </div>
      </AuthFrame>
    );

  const failed = phase.name === 'failed';
  return (
    <AuthFrame
      icon={<Icon name={failed ? 'alert' : 'mail'} />}
      title={failed ? 'This link can’t be used' : 'Open the link from your e-mail'}
      description={
        failed
          ? 'It has expired, has already been used, or a newer link replaced it.'
          : 'The link in the message we sent you brings you back here to confirm your address.'
      }
      footer={
        <>
          Changing your address? Ask for a new link from your{' '}
          <TextLink href="/account#email" prefetch={false}>
            account
          </TextLink>
          .
        </>
      }
    >
      <div className="space-y-4" data-testid={failed ? 'verify-failed' : 'verify-missing'}>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Enter the address you signed up with and we’ll send a new link.
        </p>
        <ResendVerification idPrefix="verify-resend" />
      </div>
    </AuthFrame>
  );
}
