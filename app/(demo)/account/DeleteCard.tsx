'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useAuth, type AccountInfo, type AuthClientErrorInfo } from '@/client';
import { describeError, fieldErrorsOf } from '../_components/messages';
import { Alert, Button, Card, Field } from '../_components/ui';

/** The danger zone: POST /auth/account/delete/ with the password, then signed out and home. */
export function DeleteCard({ account }: { account: AccountInfo | null }) {
  const { deleteAccount } = useAuth();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const needsPassword = account?.has_password !== false;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = needsPassword
      ? String(new FormData(event.currentTarget).get('delete_password') ?? '')
      : undefined;
    setBusy(true);
    setError(null);
    const result = await deleteAccount(password);
    if (result.ok) {
      // Home says that it worked (its signed-out view shows the notice).
      router.replace('/?account=deleted');
      router.refresh();
      return;
    }
    setBusy(false);
    setError(result.error);
  }

  const { byField, other } = fieldErrorsOf(error, ['password']);
  return (
    <Card
      id="delete"
      tone="danger"
      title="Delete account"
      description="Deletes your account, your sign-in methods and every session, at once and for good. This cannot be undone."
    >
      {!open ? (
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete account…
        </Button>
      ) : (
        <form onSubmit={onSubmit} className="space-y-5">
          {needsPassword ? (
            <Field
              id="delete_password"
              label="Your password"
              type="password"
              autoComplete="current-password"
              required
              hint="Enter your password to confirm."
              errors={byField.password}
              className="sm:max-w-sm"
            />
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Your account has no password: deleting it needs a sign-in within the last five
              minutes. If it has been longer, sign out and in again first.
            </p>
          )}
          {error && Object.keys(byField).length === 0 && (
            <Alert tone="error">{other.length > 0 ? other.join(' ') : describeError(error)}</Alert>
          )}
          <div className="flex flex-col-reverse gap-3 sm:flex-row">
            <Button
              variant="ghost"
              onClick={() => {
                setOpen(false);
                setError(null);
              }}
            >
              Cancel
            </Button>
            <Button type="submit" variant="danger" busy={busy}>
              Delete account
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}
