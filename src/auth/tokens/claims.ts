import type { Database } from '@/db/client';
import type { User } from '@/db/schema';
import type { AuthConfig, ClaimValue } from '../config/types';
import { rowFieldOf } from '../config/user-fields';

function toClaimValue(value: unknown): ClaimValue {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  return value as ClaimValue;
}

/**
 * Computes the custom claims for a user: the seed's CUSTOM_TOKEN_USER_ATTRIBUTES (named as
 * written; dates become Unix seconds) then CUSTOM_TOKEN_CALLABLE_ATTRIBUTES (sync or async).
 * Recomputed at every sign-in and refresh, so a changed user shows up in the next access token.
 * Getters get the database too (`{ db }`), to read what the row does not hold (the user's groups).
 */
export async function buildCustomClaims(
  config: Pick<AuthConfig, 'customTokenUserAttributes' | 'customTokenClaims'>,
  user: User,
  db: Database,
): Promise<Record<string, ClaimValue>> {
  const claims: Record<string, ClaimValue> = {};
  for (const name of config.customTokenUserAttributes) {
    // defineAuthConfig refused any name that is not in the table of user fields.
    claims[name] = toClaimValue(user[rowFieldOf(name) ?? (name as keyof User)]);
  }
  const computed = await Promise.all(
    config.customTokenClaims.map((claim) => claim.attrGetter(user, { db })),
  );
  config.customTokenClaims.forEach((claim, index) => {
    const value = computed[index];
    if (value !== undefined) claims[claim.attrName] = toClaimValue(value);
  });
  return claims;
}
