import 'server-only';
import { getCurrentUser, type CurrentUser } from './server';
import { checkIdentity, type IdentityCheck } from './services/current-user';

/** What a guarded Server Action answers instead of running: a result the form can show. */
export type AuthActionError = {
  ok: false;
  /**
   * `not_signed_in`: no live session (signed out, revoked, deactivated, deleted);
   * `forbidden`: signed in, but the role or rule says no;
   * `step_up_required`: the sign-in is older than `maxAge`, or lacks the second factor `mfa` asks for.
   */
  error: 'not_signed_in' | 'forbidden' | 'step_up_required';
};

/**
 * Guards a Server Action: it runs only for a live session (checked in the database on every
 * call, so a revoked session is refused at once) whose user passes `check`, and gets that user
 * first. Otherwise it answers an {@link AuthActionError} rather than throwing, so a form (with
 * useActionState) can say what happened. Next's own Origin check for actions stays on.
 * @example
 * 'use server';
 * export const rename = withAuthAction(async (user, _state: State, form: FormData) => save(user.id, form));
 */
export function withAuthAction<Args extends unknown[], Result>(
  action: (user: CurrentUser, ...args: Args) => Promise<Result>,
  check: IdentityCheck<CurrentUser> = {},
): (...args: Args) => Promise<Result | AuthActionError> {
  return async (...args) => {
    const user = await getCurrentUser();
    if (!user) return { ok: false, error: 'not_signed_in' };
    const outcome = checkIdentity(user, check, new Date());
    if (outcome !== 'ok') return { ok: false, error: outcome };
    return action(user, ...args);
  };
}
