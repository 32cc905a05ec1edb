'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { safeRelativePath } from '@/client/redirects';
import {
  describePasskeyError,
  formatWait,
  isPasskeyCancel,
  useAuth,
  type AuthClientErrorInfo,
  type SignInResult,
} from '@/client';
import { describeError } from './messages';
import { ResendVerification } from './ResendVerification';
import { loadSecondFactorForm, SecondFactorForm } from './LazySecondFactorForm';
import { Alert, Button, ButtonLink, Field, Icon, TextLink } from './ui';

function describe(error: AuthClientErrorInfo): string {
  if (error.code === 'throttled')
    return `Too many sign-in attempts. Try again in ${formatWait(error.retryAfter)}.`;
  if (error.code === 'authentication_failed') return 'Wrong username or password.';
  if (error.code === 'invalid_request') return 'Enter your username and password.';
  return describeError(error);
}

const noSubscription = () => () => {};

/** An autofill request that ended on its own after this long timed out: it is started again. */
const AUTOFILL_RETRY_AFTER_MS = 60_000;

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
    signInWithPasskey,
    startPasskeyAutofill,
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
    authError?.source === 'cognito'
      ? `Could not reach the identity provider (${authError.detail}). Check COGNITO_AUTHORITY, or try again.`
      : null;
  const shown = error ?? cognitoError;

  const withPasskey = passkeys && passkeysSupported;
  const signedOut = status === 'unauthenticated';

  // Passkeys in the username field's autofill (conditional UI), where the browser offers them:
  // the request waits in the background until the user picks a passkey there. It stops when the
  // user signs in another way (the password, the button) or leaves the page; `autofillRound`
  // starts it again after one of those did not sign in.
  const autofill = useRef<AbortController | null>(null);
  const [autofillRound, setAutofillRound] = useState(0);
  useEffect(() => {
    if (!ready || !withPasskey || !signedOut) return;
    const controller = new AbortController();
    autofill.current = controller;
    const started = Date.now();
    void startPasskeyAutofill({ signal: controller.signal }).then((result) => {
      if (controller.signal.aborted && !result.ok) return;
      if (result.ok) {
        setSignedInHere(true);
        router.replace(next);
      } else if (isPasskeyCancel(result.error)) {
        // The request timed out with its challenge (5 minutes) while the page stayed open:
        // start over with new options. A browser that refuses at once is not asked again.
        if (Date.now() - started > AUTOFILL_RETRY_AFTER_MS) setAutofillRound((round) => round + 1);
      } else if (result.error.code !== 'passkey_unsupported')
        setError(describePasskeyError(result.error));
    });
    return () => controller.abort();
  }, [ready, withPasskey, signedOut, autofillRound, startPasskeyAutofill, router, next]);

  function stopAutofill() {
    autofill.current?.abort();
  }

  function signedInOr(result: SignInResult, onFailure: (error: AuthClientErrorInfo) => void) {
    if (result.ok) {
      setSignedInHere(true);
      router.replace(next);
      return;
    }
    onFailure(result.error);
    setAutofillRound((round) => round + 1);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    stopAutofill();
    void loadSecondFactorForm().catch(() => undefined); // there if the account asks for a code
    setBusy(true);
    setError(null);
    setNotice(null);
    setUnverified(false);
    const result = await signIn(
      String(form.get('username') ?? ''),
      String(form.get('password') ?? ''),
    );
    setBusy(false);
    if (!result.ok && 'mfaRequired' in result) return; // the code step below takes over
    signedInOr(result, (failure) => {
      if (failure.code === 'email_not_verified') setUnverified(true);
      else setError(describe(failure));
    });
  }

  async function onPasskey() {
    stopAutofill();
    setPasskeyBusy(true);
    setError(null);
    setNotice(null);
    setUnverified(false);
    const result = await signInWithPasskey();
    setPasskeyBusy(false);
    signedInOr(result, (failure) => {
      // Closing the browser's prompt is a choice, not a failure: say so calmly.
      if (isPasskeyCancel(failure)) setNotice(describePasskeyError(failure));
      else setError(describePasskeyError(failure));
    });
  }

  // After the password, for an account with two-step verification: the code.
  if (secondFactor?.source === 'password' && !signedInHere)
    return (
      <SecondFactorForm
        onSignedIn={() => {
          setSignedInHere(true);
          router.replace(next);
        }}
        onRestart={setError}
        onBack={cancelSecondFactor}
      />
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
      {(cognitoEnabled || withPasskey) && (
        <div className="space-y-3">
          <div className="flex items-center gap-3 text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
            or
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          </div>
          {withPasskey && (
            <Button
              variant="secondary"
              className="w-full"
              busy={passkeyBusy}
              disabled={!ready || busy}
              onClick={() => void onPasskey()}
            >
              {!passkeyBusy && <Icon name="key" className="size-4" />}
              Sign in with a passkey
            </Button>
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
