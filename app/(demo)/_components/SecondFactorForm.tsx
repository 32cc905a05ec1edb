'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { describeSecondFactorError, useAuth } from '@/client';
import { Alert, Button, Field, Icon } from './ui';

/**
 * The second step of a sign-in (docs/second-factors.md): one code field, for the authenticator
 * app's six digits or, switched, a recovery code. Used by the login form after the password and
 * by the callback page after the identity provider. `onRestart` gets the sentence to show when
 * this sign-in is over (expired, too many wrong codes) and the first step must be done again.
 */
export function SecondFactorForm({
  onSignedIn,
  onRestart,
  onBack,
  backLabel = 'Back to sign in',
}: {
  onSignedIn(): void;
  onRestart(message: string): void;
  onBack(): void;
  backLabel?: string;
}) {
  const { secondFactor, verifySecondFactor } = useAuth();
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = () => document.getElementById('mfa_code') as HTMLInputElement | null;
  const canUseRecovery = secondFactor?.methods.includes('recovery_code') ?? false;

  useEffect(() => {
    field()?.focus();
  }, [recovery]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('mfa_code') ?? '').trim();
    if (!value) {
      setError(recovery ? 'Enter one of your recovery codes.' : 'Enter the six-digit code.');
      return;
    }
    setBusy(true);
    setError(null);
    const result = await verifySecondFactor(recovery ? { recoveryCode: value } : { code: value });
    if (result.ok) {
      onSignedIn();
      return;
    }
    setBusy(false);
    const message = describeSecondFactorError(result.error, {
      recoveryCode: recovery,
      firstStep: secondFactor?.source,
    });
    if (result.restart) onRestart(message);
    else {
      setError(message);
      field()?.select();
    }
  }

  return (
    <div className="space-y-6" data-testid="second-factor-step">
      <div className="flex items-start gap-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-accent-50 text-accent-600 ring-1 ring-accent-100 dark:bg-accent-950 dark:text-accent-300 dark:ring-accent-900">
          <Icon name={recovery ? 'lock' : 'shield'} className="size-5" />
        </span>
        <div>
          <h2 className="text-base font-semibold text-zinc-900 dark:text-white">
            {recovery ? 'Use a recovery code' : 'Two-step verification'}
          </h2>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            {recovery
              ? 'Enter one of the recovery codes you saved when you turned on two-step verification. Each code works once.'
              : 'Open your authenticator app and enter the six-digit code it shows for this account.'}
          </p>
        </div>
      </div>
      <form
        onSubmit={onSubmit}
        className="space-y-5"
        noValidate
        aria-describedby={error ? 'mfa-error' : undefined}
      >
        <Field
          key={recovery ? 'recovery' : 'code'}
          id="mfa_code"
          label={recovery ? 'Recovery code' : 'Authentication code'}
          autoComplete={recovery ? 'off' : 'one-time-code'}
          inputMode={recovery ? 'text' : 'numeric'}
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          maxLength={recovery ? 64 : 12}
          placeholder={recovery ? 'xxxx-xxxx-xxxx' : '123 456'}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'mfa-error' : undefined}
          className={
            recovery
              ? undefined
              : '[&_input]:text-center [&_input]:font-mono [&_input]:text-lg [&_input]:tracking-[0.3em]'
          }
          required
        />
        {error && (
          <Alert tone="error" id="mfa-error">
            {error}
          </Alert>
        )}
        <Button type="submit" busy={busy} className="w-full">
          Verify
        </Button>
      </form>
      <div className="flex flex-col-reverse items-center gap-3 border-t border-zinc-100 pt-5 text-sm sm:flex-row sm:justify-between dark:border-zinc-800">
        <button
          type="button"
          onClick={onBack}
          className="font-medium text-zinc-600 underline-offset-4 hover:text-zinc-900 hover:underline dark:text-zinc-400 dark:hover:text-white"
        >
          ← {backLabel}
        </button>
        {(canUseRecovery || recovery) && (
          <button
            type="button"
            onClick={() => {
              setRecovery(!recovery);
              setError(null);
            }}
            className="font-medium text-accent-600 underline-offset-4 hover:underline dark:text-accent-400"
          >
            {recovery ? 'Use your authenticator app instead' : 'Use a recovery code instead'}
          </button>
        )}
      </div>
    </div>
  );
}
