'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useAuth, type AuthClientErrorInfo } from '@/client';
import { describeError, fieldErrorsOf } from '../_components/messages';
import { ResendVerification } from '../_components/ResendVerification';
import { Alert, AuthFrame, Button, Field, Icon, TextLink } from '../_components/ui';

const FIELDS = ['username', 'email', 'password', 'first_name', 'last_name'] as const;

function describe(error: AuthClientErrorInfo): string {
  // `signUp: false` in the configuration turns the endpoint into a 404.
  if (error.status === 404) return 'Sign-up is turned off on this server. Ask an administrator.';
  return describeError(error);
}

/** POST /auth/sign-up/: signed in at once (201), or "check your inbox" (202). */
export function SignUpForm() {
  const { status, user, signUp } = useAuth();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    const email = value('email').trim();
    setBusy(true);
    setError(null);
    const result = await signUp({
      username: value('username').trim(),
      email,
      password: value('password'),
      first_name: value('first_name').trim(),
      last_name: value('last_name').trim(),
    });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else if (result.signedIn) router.replace('/dashboard');
    else setSentTo(email);
  }

  if (sentTo)
    return (
      <AuthFrame
        icon={<Icon name="mail" />}
        title="Check your inbox"
        description={
          <>
            We sent a link to <strong className="text-zinc-900 dark:text-white">{sentTo}</strong>.
            Open it to confirm your address and sign in.
          </>
        }
        footer={
          <>
            Wrong address?{' '}
            <button
              type="button"
              onClick={() => setSentTo(null)}
              className="font-medium text-accent-600 underline-offset-4 hover:underline dark:text-accent-400"
            >
              Start again
            </button>
          </>
        }
      >
        <div className="space-y-5" data-testid="sign-up-sent">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The link works for 24 hours. If nothing arrives in a few minutes, look in your spam
            folder, or send a new link.
          </p>
          <ResendVerification defaultEmail={sentTo} idPrefix="sign-up-resend" />
        </div>
      </AuthFrame>
    );

  const { byField, other } = fieldErrorsOf(error, FIELDS);
  const summary = !error
    ? null
    : other.length > 0
      ? other.join(' ')
      : Object.keys(byField).length > 0
        ? 'Check the highlighted fields.'
        : describe(error);
  return (
    <AuthFrame
      icon={<Icon name="user" />}
      title="Create your account"
      description="It takes a minute. We’ll send a link to confirm your e-mail address."
      footer={
        <>
          Already have an account? <TextLink href="/login">Sign in</TextLink>
        </>
      }
    >
      {status === 'authenticated' && (
        <div className="mb-6">
          <Alert tone="info" title={`You are signed in as ${user.username}`}>
            <p>Creating another account here signs you in to that one instead.</p>
          </Alert>
        </div>
      )}
      <form onSubmit={onSubmit} className="space-y-5">
        <div className="grid gap-5 sm:grid-cols-2">
          <Field
            id="first_name"
            label="First name"
            autoComplete="given-name"
            optional
            maxLength={150}
            errors={byField.first_name}
          />
          <Field
            id="last_name"
            label="Last name"
            autoComplete="family-name"
            optional
            maxLength={150}
            errors={byField.last_name}
          />
        </div>
        <Field
          id="username"
          label="Username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={150}
          errors={byField.username}
        />
        <Field
          id="email"
          label="E-mail address"
          type="email"
          autoComplete="email"
          required
          errors={byField.email}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters. Not a common password, not all digits, not like your username."
          errors={byField.password}
        />
        {summary && <Alert tone="error">{summary}</Alert>}
        <Button type="submit" busy={busy} className="w-full">
          Create account
        </Button>
        <p className="text-center text-xs text-zinc-500 dark:text-zinc-400">
          Your password is stored as an Argon2id hash, never in the clear.
        </p>
      </form>
    </AuthFrame>
  );
}
