'use client';

import { useState, type FormEvent } from 'react';
import { useAuth, type AuthClientErrorInfo } from '@/client';
import { describeError, fieldErrorsOf } from '../_components/messages';
import { Alert, AuthFrame, Button, Field, Icon, TextLink } from '../_components/ui';

/**
 * POST /auth/password-reset/. The answer is the same whether or not the address has an account
 * (docs/contract.md section 8), so the page says the same thing either way; the mail, or its
 * absence, tells the mailbox's owner the truth.
 */
export function ForgotPasswordForm() {
  const { requestPasswordReset } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
    setBusy(true);
    setError(null);
    const result = await requestPasswordReset(email);
    setBusy(false);
    if (result.ok) setSentTo(email);
    else setError(result.error);
  }

  const footer = (
    <>
      Remembered it? <TextLink href="/login">Back to sign in</TextLink>
    </>
  );

  if (sentTo)
    return (
      <AuthFrame icon={<Icon name="mail" />} title="Check your inbox" footer={footer}>
        <div className="space-y-5">
          <Alert tone="success" role="status">
            <p data-testid="reset-requested">
              If an account exists for <strong>{sentTo}</strong>, we sent it a link to reset the
              password. The link works for 30 minutes.
            </p>
          </Alert>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Nothing after a few minutes? Look in your spam folder, or{' '}
            <button
              type="button"
              onClick={() => setSentTo(null)}
              className="font-medium text-accent-600 underline-offset-4 hover:underline dark:text-accent-400"
            >
              try another address
            </button>
            .
          </p>
        </div>
      </AuthFrame>
    );

  const { byField } = fieldErrorsOf(error, ['email']);
  return (
    <AuthFrame
      icon={<Icon name="key" />}
      title="Forgot your password?"
      description="Enter the e-mail address of your account and we’ll send you a link to set a new one."
      footer={footer}
    >
      <form onSubmit={onSubmit} className="space-y-5">
        <Field
          id="email"
          label="E-mail address"
          type="email"
          autoComplete="email"
          required
          errors={byField.email}
        />
        {error && !byField.email && <Alert tone="error">{describeError(error)}</Alert>}
        <Button type="submit" busy={busy} className="w-full">
          Send reset link
        </Button>
      </form>
    </AuthFrame>
  );
}
