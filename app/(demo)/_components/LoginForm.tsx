'use client';

import dynamic from 'next/dynamic';
import { useRouter, useSearchParams } from 'next/navigation';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type FormEvent,
} from 'react';
import { safeRelativePath } from '@/client/redirects';
import { formatWait, useAuth, type AuthClientErrorInfo } from '@/client';
import { describeError } from './messages';
import { ResendVerification } from './ResendVerification';
import { loadSecondFactorForm, SecondFactorForm } from './LazySecondFactorForm';
import { Alert, Button, ButtonLink, Field, TextLink } from './ui';

// The passkey button and autofill, imported only where the server offers passkeys: a
// password-only sign-in page carries none of their code or words.
const PasskeySignIn = dynamic(() =>
  import('./PasskeySignIn').then((module) => module.PasskeySignIn),
);

function describe(error: AuthClientErrorInfo): string {
  if (error.code === 'throttled')
    return `Too many sign-in attempts. Try again in ${formatWait(error.retryAfter)}.`;
  if (error.code === 'authentication_failed') return 'Wrong username or password.';
  if (error.code === 'invalid_request') return 'Enter your username and password.';
  return describeError(error);
}

const noSubscription = () => () => {};

/**
 * The demo's sign-in form: username and password, a passkey (the button, or the username field's
 * autofill where the browser offers passkeys there), or Cognito's hosted UI. `passkeys`: whether
 * the server offers them (a relying party from AUTH_APP_URL).
 */
export function LoginForm({ passkeys = false }: { passkeys?: boolean }) {
  const {
    status,
    user,
    signIn,
    signOut,
    refresh,
    signInWithCognito,
    cognitoEnabled,
    passkeysSupported,
    error: authError,
    secondFactor,
    cancelSecondFactor,
  } = useAuth();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeRelativePath(params.get('next'), '/dashboard');
  const reauth = params.get('reauth') === '1';
  const [error, setError] = useState<string | null>(null);
  const [unverified, setUnverified] = useState(false);
  const [busy, setBusy] = useState(false);
  const [signedInHere, setSignedInHere] = useState(false);
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Until React has hydrated the form, a submit would be the browser's own: keep it disabled.
  const ready = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );

  // Arriving here signed in usually means the server turned this session away (a page's
  // requireUser() redirected: the session was revoked or signed out elsewhere) while this tab
  // still holds an access token. Ask the server once: a refused refresh signs this tab out.
  const checked = useRef(false);
  useEffect(() => {
    if (checked.current || status === 'loading') return;
    checked.current = true;
    if (status === 'authenticated') void refresh();
  }, [status, refresh]);

  // "Continue with Cognito" reports a redirect that cannot start (an unreachable IdP) through
  // the hook's error, not a return value: show it, or the button seems to do nothing.
  const cognitoError =
    authError?.source !== 'cognito'
      ? null
      : authError.code === 'network_error' // this page's own code did not load
        ? authError.detail
        : `Could not reach the identity provider (${authError.detail}). Check COGNITO_AUTHORITY, or try again.`;
  const shown = error ?? cognitoError;

  const withPasskey = passkeys && passkeysSupported;
  const signedOut = status === 'unauthenticated';

  const signedInNow = useCallback(() => {
    setSignedInHere(true);
    router.replace(next);
  }, [router, next]);

  function clearMessages() {
    setError(null);
    setNotice(null);
    setUnverified(false);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void loadSecondFactorForm().catch(() => undefined); // there if the account asks for a code
    setBusy(true);
    clearMessages();
    const result = await signIn(
      String(form.get('username') ?? ''),
      String(form.get('password') ?? ''),
    );
    setBusy(false);
    if (result.ok) signedInNow();
    else if ('mfaRequired' in result)
      return; // the code step below takes over
    else if (result.error.code === 'email_not_verified') setUnverified(true);
    else setError(describe(result.error));
  }

  // After the password, for an account with two-step verification: the code.
  if (secondFactor?.source === 'password' && !signedInHere)
    return (
      <SecondFactorForm onSignedIn={signedInNow} onRestart={setError} onBack={cancelSecondFactor} />
    );

  if (status === 'authenticated' && !signedInHere && !reauth)
    return (
      <div className="space-y-5">
        <Alert tone="info" title={`You are signed in as ${user.username}`}>
          <p>Carry on where you were going, or sign out to use another account.</p>
        </Alert>
        <div className="grid gap-3 sm:grid-cols-2">
          <ButtonLink href={next} prefetch={false}>
            Continue
          </ButtonLink>
          <Button variant="secondary" onClick={() => void signOut()}>
            Use another account
          </Button>
        </div>
      </div>
    );

  return (
    <div className="space-y-6">
      {reauth && (
        <Alert tone="info" title="Confirm it’s you">
          <p>This page asks for a recent sign-in. Sign in again to continue.</p>
        </Alert>
      )}
      <form
        method="post"
        onSubmit={onSubmit}
        className="space-y-5"
        aria-describedby={shown ? 'login-error' : undefined}
      >
        <Field
          id="username"
          label="Username"
          autoComplete={withPasskey ? 'username webauthn' : 'username'}
          autoCapitalize="none"
          spellCheck={false}
          required
        />
        <div>
          <Field
            id="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            required
          />
          <p className="mt-2 text-right text-sm">
            <TextLink href="/forgot-password">Forgot your password?</TextLink>
          </p>
        </div>
        {shown && (
          <Alert tone="error" id="login-error">
            {shown}
          </Alert>
        )}
        {notice && (
          <Alert tone="info" id="login-notice">
            {notice}
          </Alert>
        )}
        <Button type="submit" busy={busy} disabled={!ready || passkeyBusy} className="w-full">
          Sign in
        </Button>
      </form>
      {unverified && (
        <div className="space-y-4 border-t border-zinc-100 pt-6 dark:border-zinc-800">
          <Alert tone="warning" title="Confirm your e-mail address first">
            <p>
              We sent you a link when you created the account. Open it to finish, or get a new one
              here.
            </p>
          </Alert>
          <ResendVerification idPrefix="login-resend" />
        </div>
      )}
      {(cognitoEnabled || passkeys) && (
        <div className="space-y-3 empty:hidden">
          {(cognitoEnabled || withPasskey) && (
            <div className="flex items-center gap-3 text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
              <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
              or
              <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
            </div>
          )}
          {passkeys && (
            <PasskeySignIn
              // A password sign-in stops the autofill request (the passkey part aborts it when
              // it stops being idle) and starts it again when it did not sign in.
              idle={ready && signedOut && !busy}
              disabled={!ready || busy}
              onStart={clearMessages}
              onBusy={setPasskeyBusy}
              onSignedIn={signedInNow}
              onError={setError}
              onNotice={setNotice}
            />
          )}
          {cognitoEnabled && (
            <Button
              variant="secondary"
              className="w-full"
              disabled={!ready}
              onClick={() => void signInWithCognito({ returnTo: next })}
            >
              Continue with Cognito
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
