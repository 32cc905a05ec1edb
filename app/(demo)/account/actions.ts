'use server';

import { revalidatePath } from 'next/cache';
import { withAuthAction } from '@/auth/actions';
import { getAuthContext } from '@/auth/context';
import { updateProfile, type ProfileUpdate } from '@/auth/services/profile';
import type { AuthActionError } from '@/auth/actions';

/** What the profile form shows: nothing yet, saved, field errors, or why it could not run. */
export type ProfileFormState = ProfileUpdate | AuthActionError | null;

/** Saves the signed-in user's first and last name (a live session only: see withAuthAction). */
export const saveProfile = withAuthAction(
  async (user, _previous: ProfileFormState, form: FormData): Promise<ProfileUpdate> => {
    const result = await updateProfile(await getAuthContext(), user.id, {
      first_name: form.get('first_name') ?? '',
      last_name: form.get('last_name') ?? '',
    });
    if (result.ok) revalidatePath('/account');
    return result;
  },
);
