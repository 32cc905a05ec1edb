import { canonicalEmail } from './email';
import { canonicalUsername, usernameSkeleton } from './username';

export { canonicalEmail } from './email';
export { canonicalUsername, isMixedScript, normalizeUsername, usernameSkeleton } from './username';

/** The users columns derived from the username, stored next to it (docs/contract.md section 2). */
export interface UsernameColumns {
  usernameCanonical: string;
  usernameSkeleton: string;
}

/** The users columns derived from the address: the canonical form links, the flag says whether it may. */
export interface EmailColumns {
  email: string;
  emailCanonical: string | null;
  emailVerified: boolean;
}

/** The derived username columns; every code path that creates or renames a user goes through it. */
export function usernameColumns(username: string): UsernameColumns {
  return {
    usernameCanonical: canonicalUsername(username),
    usernameSkeleton: usernameSkeleton(username),
  };
}

/**
 * The e-mail columns for an address; every code path that sets a user's address goes through it,
 * so a linking lookup only ever meets canonical forms computed by {@link canonicalEmail}. An empty
 * address is never verified.
 */
export function emailColumns(email: string, verified: boolean): EmailColumns {
  return { email, emailCanonical: canonicalEmail(email), emailVerified: verified && email !== '' };
}
