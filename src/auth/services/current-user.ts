import { findLiveSession } from '@/db/queries/current-user';
import type { ClaimValue } from '../config/types';
import { parseDurationSeconds, type Duration } from '../config/durations';
import type { AuthContext } from '../context';
import { isMultiFactor, provesCredential } from '../mfa/amr';
import { buildCustomClaims } from '../tokens/claims';

/** The claims every signed-in identity has, named as in access tokens (docs/contract.md section 4). */
export type SessionClaims = {
  user_id: number;
  sub: string;
  sid: string;
  auth_time: number;
  amr: string[];
};

/**
 * The user of a live session as the server helpers hand it out: the serializer's output (never
 * the row: no password hash reaches a page), plus `id`, `username` and the claims the user's
 * access tokens carry (registered and custom), computed from the current row.
 */
export interface SessionUser {
  id: number;
  username: string;
  claims: SessionClaims & Record<string, ClaimValue | undefined>;
  [member: string]: unknown;
}

/** The checks getCurrentUser(), requireUser(), withAuthAction() and withAuth() accept. */
export interface IdentityCheck<User> {
  /** A role the user must have: `hasRole(user.claims, role)` (`roles` claim, or `is_staff` for 'staff'). */
  role?: string;
  /** Any other rule on the user; false refuses. */
  allow?: (user: User) => boolean;
  /** Step-up: the sign-in that started the session is at most this old (300, "5m"). */
  maxAge?: Duration;
  /**
   * Step-up: the session signed in (or re-authenticated) with more than one factor: `amr` contains
   * "mfa" (a TOTP or recovery code after the password), or "hwk" and "user" (a passkey).
   */
  mfa?: boolean;
}

/** How a check went: refused checks tell "who are you" from "not you" from "prove it again". */
export type CheckOutcome = 'ok' | 'forbidden' | 'step_up_required';

/** True when the claims carry a role (the template's `roles` claim) or staff status (`is_staff`). */
export function hasRole(claims: object, role: string): boolean {
  const { roles, is_staff } = claims as { roles?: unknown; is_staff?: unknown };
  if (role === 'staff' && is_staff === true) return true;
  return Array.isArray(roles) && roles.includes(role);
}

// The session cookie is signed by the kit, so its `sid` is one of ours; the shape check keeps a
// misconfigured signer from turning into a database cast error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user behind a verified session (cookie or access token claims), if that session is live
 * and its user active at `now`: one indexed read, then the custom claims from the current row.
 */
export async function loadSessionUser(
  ctx: AuthContext,
  session: { sub: string; sid: string },
  now: Date,
): Promise<SessionUser | null> {
  const userId = Number(session.sub);
  if (!UUID.test(session.sid) || !Number.isSafeInteger(userId)) return null;
  const live = await findLiveSession(ctx.db, { sid: session.sid, userId, now });
  if (!live) return null;
  const { user } = live;
  const custom = await buildCustomClaims(ctx.config, user, ctx.db);
  return {
    id: user.id,
    username: user.username,
    ...ctx.config.serializeUser?.(user),
    claims: {
      user_id: user.id,
      sub: String(user.id),
      sid: live.sid,
      auth_time: Math.floor(live.authTime.getTime() / 1000),
      amr: live.amr,
      ...custom,
    },
  };
}

/** Applies a check to a signed-in identity: role and rule first, then step-up (`maxAge`, `mfa`). */
export function checkIdentity<User extends { claims: SessionClaims }>(
  user: User,
  check: IdentityCheck<User>,
  now: Date,
): CheckOutcome {
  if (check.role !== undefined && !hasRole(user.claims, check.role)) return 'forbidden';
  if (check.allow && !check.allow(user)) return 'forbidden';
  if (check.maxAge !== undefined) {
    const maxAge = parseDurationSeconds(check.maxAge);
    if (maxAge === null) throw new TypeError(`maxAge must be a duration (got ${check.maxAge})`);
    // auth_time is whole seconds: compare whole seconds. A session opened by a mailed link
    // proves no credential, so its auth_time is no recent sign-in (as for the API's step-up).
    if (
      Math.floor(now.getTime() / 1000) - user.claims.auth_time > maxAge ||
      !provesCredential(user.claims.amr)
    )
      return 'step_up_required';
  }
  if (check.mfa && !isMultiFactor(user.claims.amr)) return 'step_up_required';
  return 'ok';
}
