'use client';

import { useState, type FormEvent } from 'react';
import { useAuth, type AccountInfo, type AuthClientErrorInfo } from '@/client';
import { describeError, fieldErrorsOf } from '../_components/messages';
import { Alert, Button, Card, Field, TextLink } from '../_components/ui';

/** "Change password" (POST /auth/password/): new tokens for this session, the others end. */
export function PasswordCard({
  account,
  onChanged,
}: {
  account: AccountInfo | null;
  onChanged(): void;
}) {
  const { changePassword } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);

  if (account && !account.has_password)
    return (
      <Card
        id="password"
        title="Password"
        description="You sign in through an identity provider, so this account has no password here."
      >
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          To add one, use <TextLink href="/forgot-password">Forgot your password?</TextLink> with
          your address: the link lets you set a password.
        </p>
      </Card>
    );

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const next = String(form.get('new_password') ?? '');
    if (next !== String(form.get('new_password_confirm') ?? '')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(null);
    setDone(false);
    const result = await changePassword(String(form.get('current_password') ?? ''), next);
    setBusy(false);
    if (result.ok) {
      setDone(true);
      formElement.reset();
      onChanged();
    } else setError(result.error);
  }

  const { byField, other } = fieldErrorsOf(error, ['current_password', 'new_password']);
  return (
    <form onSubmit={onSubmit}>
      <Card
        id="password"
        title="Password"
        description="Changing it signs out every other device; this one stays signed in."
        footer={
          <Button type="submit" busy={busy}>
            Change password
          </Button>
        }
      >
        <div className="space-y-5">
          <Field
            id="current_password"
            label="Current password"
            type="password"
            autoComplete="current-password"
            required
            errors={byField.current_password}
            className="sm:max-w-sm"
          />
          <div className="grid gap-5 sm:grid-cols-2">
            <Field
              id="new_password"
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              hint="At least 8 characters, not a common one."
              errors={byField.new_password}
            />
            <Field
              id="new_password_confirm"
              label="Confirm new password"
              type="password"
              autoComplete="new-password"
              required
              errors={mismatch ? ['The two passwords are not the same.'] : null}
            />
          </div>
          {error && Object.keys(byField).length === 0 && (
            <Alert tone="error">{other.length > 0 ? other.join(' ') : describeError(error)}</Alert>
          )}
          {done && (
            <Alert tone="success" title="Password changed">
              <p>Every other device was signed out. This one stays signed in.</p>
            </Alert>
          )}
        </div>
      </Card>
    </form>
  );
}
