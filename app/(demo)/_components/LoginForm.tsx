'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useState, useSyncExternalStore, type FormEvent } from 'react';
import { safeRelativePath } from '@/client/redirects';
import { useAuth, type AuthClientErrorInfo } from '@/client';

function describe(error: AuthClientErrorInfo): string {
  if (error.code === 'throttled')
    return `Too many sign-in attempts. Try again in ${error.retryAfter ?? 'a few'} seconds.`;
  if (error.code === 'authentication_failed') return 'Wrong username or password.';
  if (error.code === 'invalid_request') return 'Enter your username and password.';
  return error.detail;
}

const noSubscription = () => () => {};

/** The demo's sign-in form: username and password, or Cognito's hosted UI. */
export function LoginForm() {
  const { signIn, signInWithCognito, cognitoEnabled, error: authError } = useAuth();
  const router = useRouter();
  const next = safeRelativePath(useSearchParams().get('next'), '/dashboard');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Until React has hydrated the form, a submit would be the browser's own: keep it disabled.
  const ready = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );

  // "Continue with Cognito" reports a redirect that cannot start (an unreachable IdP) through
  // the hook's error, not a return value: show it, or the button seems to do nothing.
  const cognitoError =
    authError?.source === 'cognito'
      ? `Could not reach the identity provider (${authError.detail}). Check COGNITO_AUTHORITY, or try again.`
      : null;
  const shown = error ?? cognitoError;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn(
      String(form.get('username') ?? ''),
      String(form.get('password') ?? ''),
    );
    setBusy(false);
    if (result.ok) router.replace(next);
    else setError(describe(result.error));
  }

  return (
    <div className="card">
      <form
        method="post"
        onSubmit={onSubmit}
        className="stack"
        aria-describedby={shown ? 'login-error' : undefined}
      >
        <label htmlFor="username">Username</label>
        <input id="username" name="username" autoComplete="username" required />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        {shown && (
          <p id="login-error" role="alert" className="error">
            {shown}
          </p>
        )}
        <button type="submit" disabled={busy || !ready}>
          Sign in
        </button>
      </form>
      {cognitoEnabled && (
        <>
          <p className="divider">
            <span>or</span>
          </p>
          <button
            type="button"
            className="secondary"
            disabled={!ready}
            onClick={() => void signInWithCognito({ returnTo: next })}
          >
            Continue with Cognito
          </button>
        </>
      )}
    </div>
  );
}
