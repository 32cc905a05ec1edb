import { z } from 'zod';
import { updateUser } from '@/db/queries/users';
import type { AuthContext } from '../context';

/** The profile fields a signed-in user may change: Django's first and last name (150 at most). */
export const profileSchema = z.object({
  first_name: z.string().trim().max(150, 'at most 150 characters'),
  last_name: z.string().trim().max(150, 'at most 150 characters'),
});

/** The outcome of a profile change: saved, or the field errors to show beside the fields. */
export type ProfileUpdate =
  | { ok: true; firstName: string; lastName: string }
  | {
      ok: false;
      error: 'invalid';
      fieldErrors: Partial<Record<'first_name' | 'last_name', string[]>>;
    };

/** Validates and saves a user's first and last name (`input` is untrusted: a form's values). */
export async function updateProfile(
  ctx: AuthContext,
  userId: number,
  input: unknown,
): Promise<ProfileUpdate> {
  const parsed = profileSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, error: 'invalid', fieldErrors: z.flattenError(parsed.error).fieldErrors };
  const { first_name: firstName, last_name: lastName } = parsed.data;
  await updateUser(ctx.db, userId, { firstName, lastName });
  return { ok: true, firstName, lastName };
}
