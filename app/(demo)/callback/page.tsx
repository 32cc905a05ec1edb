'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useAuth, type AuthClientErrorInfo } from '@/client';
import { describeError } from '../_components/messages';
import { SecondFactorForm } from '../_components/LazySecondFactorForm';
import { Alert, AuthFrame, ButtonLink, Icon, Spinner } from '../_components/ui';

/** Why a sign-in through the identity provider failed, in words, by what went wrong. */
function explain(
  error: AuthClientErrorInfo,
  { configured, idpError }: { configured: boolean; idpError: string | null },
): { title: string; text: string } {
  if (!configured)
    return {
      title: 'Sign-in through an identity provider is not set up',
      text: 'This server has no identity provider configured. Sign in with your username and password instead.',
    };
  if (idpError === 'access_denied')
    return {
      title: 'Sign-in was cancelled',
      text: 'The identity provider did not sign you in. Start again when you are ready.',
    };
  if (idpError)
    return {
      title: 'The identity provider could not sign you in',
      text: 'It answered with an error. Try again, or sign in with your username and password.',
    };
  if (error.code === 'email_not_verified')
    return {
      title: 'Your e-mail address is not verified',
      text: 'The identity provider has not confirmed your e-mail address yet. Confirm it there, then sign in again.',
    };
  if (error.code === 'authentication_failed')
    return {
      title: 'We couldn’t sign you in',
      text: 'The identity provider’s answer could not be accepted. Sign in again to get a fresh one.',
    };
  if (error.code === 'client_error')
    // oidc-client-ts: no matching state (a reload of this page, a link opened twice), an
    // `error=access_denied` from the hosted UI, a used code.
    return {
      title: 'This sign-in link has expired',
      text: 'It was already used, or it belongs to another tab or browser. Start the sign-in again.',
    };
  return { title: 'We couldn’t sign you in', text: describeError(error) };
}

/** Where the hosted UI sends the browser back: completes the PKCE exchange, then goes on. */
export default function CallbackPage() {
  const { completeCognitoSignIn, cognitoEnabled, cancelSecondFactor } = useAuth();
  const router = useRouter();
  const started = useRef(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [idpError, setIdpError] = useState<string | null>(null);
  // For an account with two-step verification: where to go once the code is right.
  const [codeStep, setCodeStep] = useState<{ returnTo: string } | null>(null);
  const [stepOver, setStepOver] = useState<string | null>(null);

  useEffect(() => {
    if (started.current) return; // a code can be redeemed once: React may run effects twice in development
    started.current = true;
    void completeCognitoSignIn().then((result) => {
      if (result.ok) router.replace(result.returnTo === '/' ? '/dashboard' : result.returnTo);
      else if ('mfaRequired' in result) setCodeStep({ returnTo: result.returnTo });
      else {
        // The hosted UI reports a refusal in the query (`error=access_denied`), as OAuth does.
        setIdpError(new URLSearchParams(window.location.search).get('error'));
        setError(result.error);
      }
    });
  }, [completeCognitoSignIn, router]);

  if (stepOver)
    return (
      <AuthFrame icon={<Icon name="alert" />} title="Sign in again">
        <div className="space-y-5" data-testid="callback-failed">
          <Alert tone="error">
            <p>{stepOver}</p>
          </Alert>
          <ButtonLink href="/login" className="w-full">
            Back to sign in
          </ButtonLink>
        </div>
      </AuthFrame>
    );

  if (codeStep)
    return (
      <AuthFrame
        title="One more step"
        description="Your identity provider signed you in. This account also asks for a code."
      >
        <SecondFactorForm
          onSignedIn={() =>
            router.replace(codeStep.returnTo === '/' ? '/dashboard' : codeStep.returnTo)
          }
          onRestart={setStepOver}
          onBack={() => {
            cancelSecondFactor();
            router.replace('/login');
          }}
        />
      </AuthFrame>
    );

  if (!error)
    return (
      <AuthFrame icon={<Icon name="key" />} title="Signing you in…">
        <p
          role="status"
          className="flex items-center justify-center gap-3 text-sm text-zinc-600 dark:text-zinc-400"
        >
          <Spinner className="text-accent-600" /> Finishing the sign-in with your identity provider.
        </p>
      </AuthFrame>
    );

  const { title, text } = explain(error, { configured: cognitoEnabled, idpError });
  return (
    <AuthFrame icon={<Icon name="alert" />} title={title}>
      <div className="space-y-5" data-testid="callback-failed">
        <Alert tone="error">
          <p>{text}</p>
        </Alert>
        <p className="text-xs break-words text-zinc-500 dark:text-zinc-400">
          Details for support: {error.detail}
        </p>
        <div className="grid gap-3 sm:grid-cols-2">
          <ButtonLink href="/login">Try again</ButtonLink>
          <ButtonLink href="/" variant="secondary">
            Back to home
          </ButtonLink>
        </div>
      </div>
    </AuthFrame>
  );
}
