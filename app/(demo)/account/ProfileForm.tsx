'use client';

import Link from 'next/link';
import { useActionState, useEffect } from 'react';
import { useAuth } from '@/client';
import { Button, Card, Field } from '../_components/ui';
import { saveProfile, type ProfileFormState } from './actions';

function message(state: ProfileFormState): { text: string; error: boolean } | null {
  if (!state) return null;
  if (state.ok) return { text: 'Saved.', error: false };
  switch (state.error) {
    case 'not_signed_in':
      return { text: 'You are signed out: nothing was saved.', error: true };
    case 'forbidden':
      return { text: 'You may not change this profile.', error: true };
    case 'step_up_required':
      return { text: 'Sign in again to change your profile.', error: true };
    case 'invalid':
      return { text: 'Check the fields above.', error: true };
  }
}

/** The profile form: a Server Action, so it works before (and without) JavaScript too. */
export function ProfileForm({ firstName, lastName }: { firstName: string; lastName: string }) {
  const [state, action, pending] = useActionState(saveProfile, null);
  const { status, refresh } = useAuth();
  const shown = message(state);
  const fieldErrors = state && !state.ok && state.error === 'invalid' ? state.fieldErrors : {};

  // The server's answer reaches the hook: a refused action means the session ended elsewhere
  // (a refresh then signs this tab out, and the navigation follows); a saved name is picked up
  // by the next tokens, so the navigation shows it at once.
  const outcome = state ? (state.ok ? 'saved' : state.error) : null;
  useEffect(() => {
    if (status !== 'authenticated') return;
    if (outcome === 'not_signed_in' || outcome === 'saved') void refresh();
    // Only when a new answer arrives, not when the status changes because of it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);

  return (
    <form action={action} aria-describedby="profile-status">
      <Card
        id="profile"
        title="Profile"
        description="Your name as the app shows it. Saved with a Server Action that checks your session on the server."
        footer={
          <>
            <p
              id="profile-status"
              role="status"
              data-testid="profile-status"
              className={`mr-auto text-sm ${shown?.error ? 'text-red-600 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`}
            >
              {shown?.text}{' '}
              {state && !state.ok && state.error === 'not_signed_in' && (
                <Link href="/login?next=/account" className="font-semibold underline">
                  Sign in
                </Link>
              )}
            </p>
            <Button type="submit" busy={pending}>
              Save profile
            </Button>
          </>
        }
      >
        <div className="grid gap-5 sm:grid-cols-2">
          <Field
            id="first_name"
            label="First name"
            defaultValue={firstName}
            maxLength={150}
            autoComplete="given-name"
            errors={fieldErrors.first_name}
          />
          <Field
            id="last_name"
            label="Last name"
            defaultValue={lastName}
            maxLength={150}
            autoComplete="family-name"
            errors={fieldErrors.last_name}
          />
        </div>
      </Card>
    </form>
  );
}
