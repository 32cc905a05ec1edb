'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAuth, type AuthClientErrorInfo } from '@/client';
import { takeFragmentToken } from '../_components/fragment';
import { describeError, fieldErrorsOf } from '../_components/messages';
import {
  Alert,
  AuthFrame,
  Button,
  ButtonLink,
  Field,
  Icon,
  Spinner,
  TextLink,
} from '../_components/ui';

type Phase = 'reading' | 'missing' | 'ready' | 'done' | 'expired';

/**
 * The page a reset link opens: the token comes from the fragment, the new password from the
 * form, and POST /auth/password-reset/confirm/ sets it (and ends every session of the user).
 */
export function ResetPasswordForm() {
  const { resetPassword } = useAuth();
  const token = useRef<string | null>(null);
  const [phase, setPhase] = useState<Phase>('reading');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [mismatch, setMismatch] = useState(false);

  useEffect(() => {
    if (token.current) return;
    token.current = takeFragmentToken();
    const found = token.current !== null;
    void Promise.resolve().then(() => setPhase(found ? 'ready' : 'missing'));
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    if (password !== String(form.get('password_confirm') ?? '')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(null);
    const result = await resetPassword(token.current ?? '', password);
    setBusy(false);
    if (result.ok) setPhase('done');
    else if (result.error.code === 'invalid_token') setPhase('expired');
    else setError(result.error);
  }

  if (phase === 'reading')
    return (
      <AuthFrame icon={<Icon name="key" />} title="Set a new password">
        <p role="status" className="flex justify-center">
          <Spinner className="text-accent-600" />
          <span className="sr-only">Loading</span>
        </p>
      </AuthFrame>
    );

  if (phase === 'done')
    return (
      <AuthFrame icon={<Icon name="check" />} title="Your password is set">
        <div className="space-y-5" data-testid="password-reset-done">
          <Alert tone="success">
            <p>
              For your safety every device was signed out. Sign in with your new password to
              continue.
            </p>
          </Alert>
          <ButtonLink href="/login" className="w-full">
            Sign in
          </ButtonLink>
        </div>
      </AuthFrame>
    );

  if (phase === 'missing' || phase === 'expired')
    return (
      <AuthFrame
        icon={<Icon name="alert" />}
        title={phase === 'expired' ? 'This link can’t be used' : 'Open the link from your e-mail'}
        description={
          phase === 'expired'
            ? 'Reset links work for 30 minutes and only once, and a newer link replaces older ones.'
            : 'Setting a new password starts from the link we e-mail you.'
        }
        footer={
          <>
            Remembered it? <TextLink href="/login">Back to sign in</TextLink>
          </>
        }
      >
        <ButtonLink href="/forgot-password" className="w-full">
          Send a new link
        </ButtonLink>
      </AuthFrame>
    );

  const { byField, other } = fieldErrorsOf(error, ['password']);
  return (
    <AuthFrame
      icon={<Icon name="key" />}
      title="Set a new password"
      description="Choose a password you don’t use anywhere else."
    >
      <form onSubmit={onSubmit} className="space-y-5">
        <Field
          id="password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters. Not a common password, not all digits."
          errors={byField.password}
        />
        <Field
          id="password_confirm"
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
          errors={mismatch ? ['The two passwords are not the same.'] : null}
        />
        {error && !byField.password && (
          <Alert tone="error">{other.length > 0 ? other.join(' ') : describeError(error)}</Alert>
        )}
        <Button type="submit" busy={busy} className="w-full">
          Set new password
        </Button>
      </form>
    </AuthFrame>
  );
}
