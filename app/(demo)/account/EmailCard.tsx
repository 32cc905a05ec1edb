'use client';

import { useState, type FormEvent } from 'react';
import { useAuth, type AccountInfo, type AuthClientErrorInfo } from '@/client';
import { describeError, fieldErrorsOf } from '../_components/messages';
import { ResendVerification } from '../_components/ResendVerification';
import { Alert, Badge, Button, Card, Field } from '../_components/ui';

/** The address with its verified state, and "Change e-mail" (POST /auth/email/change/). */
export function EmailCard({ email, account }: { email: string; account: AccountInfo | null }) {
  const { changeEmail } = useAuth();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const needsPassword = account?.has_password !== false;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newEmail = String(form.get('new_email') ?? '').trim();
    setBusy(true);
    setError(null);
    const result = await changeEmail(newEmail, String(form.get('email_password') ?? ''));
    setBusy(false);
    if (result.ok) {
      setSentTo(newEmail);
      setOpen(false);
    } else setError(result.error);
  }

  const { byField, other } = fieldErrorsOf(error, ['new_email', 'password']);
  return (
    <Card
      id="email"
      title="E-mail address"
      description="Where we send sign-in links and security notices."
    >
      <div className="space-y-5">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="flex min-w-0 flex-wrap items-center gap-2">
            <span
              className="truncate font-medium text-zinc-900 dark:text-white"
              data-testid="account-email"
            >
              {email || 'No address on file'}
            </span>
            {account &&
              email &&
              (account.email_verified ? (
                <Badge tone="success" data-testid="email-badge">
                  Verified
                </Badge>
              ) : (
                <Badge tone="warning" data-testid="email-badge">
                  Not verified
                </Badge>
              ))}
          </div>
          {!open && (
            <Button variant="secondary" onClick={() => setOpen(true)}>
              Change e-mail
            </Button>
          )}
        </div>

        {account && email && !account.email_verified && !open && (
          <div className="space-y-3 rounded-xl bg-zinc-50 p-4 dark:bg-zinc-950/60">
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Confirm this address to be able to recover your account by e-mail.
            </p>
            <ResendVerification defaultEmail={email} idPrefix="account-resend" />
          </div>
        )}

        {sentTo && (
          <Alert tone="success" title="Check your new inbox">
            <p>
              We sent a confirmation link to <strong>{sentTo}</strong>. Your address changes when
              you open it; until then you keep using the current one. We also told your current
              address about the change.
            </p>
          </Alert>
        )}

        {open && (
          <form
            onSubmit={onSubmit}
            className="space-y-5 border-t border-zinc-100 pt-5 dark:border-zinc-800"
          >
            <Field
              id="new_email"
              label="New e-mail address"
              type="email"
              autoComplete="email"
              required
              errors={byField.new_email}
            />
            {needsPassword && (
              <Field
                id="email_password"
                label="Current password"
                type="password"
                autoComplete="current-password"
                required
                hint="To confirm it is you."
                errors={byField.password}
              />
            )}
            {error && Object.keys(byField).length === 0 && (
              <Alert tone="error">
                {other.length > 0 ? other.join(' ') : describeError(error)}
              </Alert>
            )}
            <div className="flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
              <Button
                variant="ghost"
                onClick={() => {
                  setOpen(false);
                  setError(null);
                }}
              >
                Cancel
              </Button>
              <Button type="submit" busy={busy}>
                Change e-mail
              </Button>
            </div>
          </form>
        )}
      </div>
    </Card>
  );
}
