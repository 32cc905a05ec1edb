'use client';

import Link from 'next/link';
import { useActionState } from 'react';
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
      return { text: 'Check the fields below.', error: true };
  }
}

/** The profile form: a Server Action, so it works before (and without) JavaScript too. */
export function ProfileForm({ firstName, lastName }: { firstName: string; lastName: string }) {
  const [state, action, pending] = useActionState(saveProfile, null);
  const shown = message(state);
  const fieldErrors = state && !state.ok && state.error === 'invalid' ? state.fieldErrors : {};
  return (
    <form action={action} className="card stack narrow" aria-describedby="profile-status">
      <label htmlFor="first_name">First name</label>
      <input id="first_name" name="first_name" defaultValue={firstName} maxLength={150} />
      {fieldErrors.first_name && <p className="error">{fieldErrors.first_name.join(' ')}</p>}
      <label htmlFor="last_name">Last name</label>
      <input id="last_name" name="last_name" defaultValue={lastName} maxLength={150} />
      {fieldErrors.last_name && <p className="error">{fieldErrors.last_name.join(' ')}</p>}
      <p
        id="profile-status"
        role="status"
        data-testid="profile-status"
        className={shown?.error ? 'error' : 'muted'}
      >
        {shown?.text}{' '}
        {state && !state.ok && state.error === 'not_signed_in' && (
          <Link href="/login?next=/account">Sign in</Link>
        )}
      </p>
      <button type="submit" disabled={pending}>
        Save
      </button>
    </form>
  );
}
