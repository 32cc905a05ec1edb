import { z } from 'zod';
import { updateUser } from '@/db/queries/users';
import type { AuthContext } from '../context';
import { storableText } from '../identity/text';
import { inDjangoNames, inRowNames, type DjangoNameOf } from '../config/user-fields';

// Storable text, as the API's name rules (a NUL would otherwise throw out of the Server Action).
const name = storableText(z.string().trim().max(150, 'at most 150 characters'), 'The name');

/**
 * The profile fields a signed-in user may change: the first and last name (150 at most), under
 * Django's names (`first_name`, `last_name`) as the form and the user's claims spell them.
 */
export const profileSchema = z.object(inDjangoNames({ firstName: name, lastName: name }));

/** The outcome of a profile change: saved, or the field errors to show beside the fields. */
export type ProfileUpdate =
  | { ok: true; firstName: string; lastName: string }
  | {
      ok: false;
      error: 'invalid';
      fieldErrors: Partial<Record<DjangoNameOf<'firstName' | 'lastName'>, string[]>>;
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
  const { firstName, lastName } = inRowNames(parsed.data);
  await updateUser(ctx.db, userId, { firstName, lastName });
  return { ok: true, firstName, lastName };
}
