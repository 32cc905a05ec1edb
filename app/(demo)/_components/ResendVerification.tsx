'use client';

import { useState, type FormEvent } from 'react';
import { useAuth } from '@/client';
import { describeError, fieldErrorsOf } from './messages';
import { Alert, Button, Field } from './ui';

/**
 * "Send a new link": asks for a new verification mail. The answer is the same whether or not
 * the address has an unverified account (docs/contract.md section 8), and so is the message.
 */
export function ResendVerification({
  defaultEmail = '',
  idPrefix = 'resend',
}: {
  defaultEmail?: string;
  idPrefix?: string;
}) {
  const { resendVerification } = useAuth();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<Parameters<typeof describeError>[0] | null>(null);
  const fieldId = `${idPrefix}-email`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get(fieldId) ?? '').trim();
    setBusy(true);
    setError(null);
    const result = await resendVerification(email);
    setBusy(false);
    if (result.ok) setSent(true);
    else setError(result.error);
  }

  if (sent)
    return (
      <Alert tone="success" title="Check your inbox">
        <p>
          If that address belongs to an account that still needs confirming, a new link is on its
          way. It works for 24 hours, and only the newest link does.
        </p>
      </Alert>
    );

  const { byField } = fieldErrorsOf(error, ['email']);
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <Field
        id={fieldId}
        label="E-mail address"
        type="email"
        autoComplete="email"
        required
        defaultValue={defaultEmail}
        errors={byField.email}
      />
      {error && !byField.email && <Alert tone="error">{describeError(error)}</Alert>}
      <Button type="submit" variant="secondary" busy={busy} className="w-full">
        Send a new link
      </Button>
    </form>
  );
}
