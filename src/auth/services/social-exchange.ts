import { randomBytes } from 'node:crypto';
import type { Database } from '@/db/client';
import { isUniqueViolation } from '@/db/errors';
import {
  findUserByIdentity,
  findVerifiedUserByEmail,
  isUsernameConfusable,
  linkIdentity,
  rememberIdToken,
  touchIdentity,
} from '@/db/queries/identities';
import { lockAddress } from '@/db/queries/mail-tokens';
import { insertUser, updateUser } from '@/db/queries/users';
import type { User } from '@/db/schema';
import type { AuthContext } from '../context';
import { AuthError, AuthenticationFailed } from '../errors';
import { emitAuthEvent } from '../events';
import { emailColumns, isMixedScript, normalizeUsername, usernameColumns } from '../identity';
import type { IdpIdentity, IdpVerifier } from '../idp/verify';
import { verifyIdpTokens } from '../idp/verify';
import type { IssuedTokens } from '../sessions/issue';
import type { ClientInfo } from '../client-info';
import { AMR } from '../mfa/amr';
import { needsSecondFactor, startSecondStep, type SecondStepRequired } from '../mfa/second-step';
import { openSession } from '../sessions/open';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * A username for a new user: the IdP's, NFKC-normalised (Django's normalize_username) and cleaned
 * to Django's alphabet. A name that another user's has in another case or looks like (the same
 * confusable skeleton: `Admin`, Cyrillic `аdmin` next to `admin`), or that mixes scripts as a
 * lookalike does, gets a random suffix until it is distinct.
 */
async function uniqueUsername(tx: Transaction, wanted: string): Promise<string> {
  const cleaned = normalizeUsername(wanted).replace(/[^\p{L}\p{N}_.@+-]/gu, '');
  // Counted in code points, so a suffix still fits the 150 characters and no surrogate is split.
  const base = Array.from(cleaned).slice(0, 140).join('') || 'user';
  if (!isMixedScript(base) && !(await isUsernameConfusable(tx, usernameColumns(base)))) return base;
  for (;;) {
    const candidate = `${base}-${randomBytes(3).toString('hex')}`;
    if (!(await isUsernameConfusable(tx, usernameColumns(candidate)))) return candidate;
  }
}

/**
 * The existing user an identity seen the first time may join by address, or null (docs/contract.md
 * section 2): the IdP verified the address, it has a canonical form (a non-ASCII local part never
 * links), and a user's own verified address has the same canonical form. Takes the address lock.
 */
async function linkableUser(tx: Transaction, identity: IdpIdentity): Promise<User | null> {
  if (!identity.emailVerified) return null;
  const { emailCanonical } = emailColumns(identity.email, true);
  if (!emailCanonical) return null;
  // The address lock of sign-up and e-mail change, held to the commit: the look-up here and the
  // user created next run one at a time with a sign-up for the same address, so the two cannot
  // both find the address free and create two users (docs/security.md).
  await lockAddress(tx, emailCanonical);
  return findVerifiedUserByEmail(tx, emailCanonical);
}

/**
 * In one transaction: accept the id token once, then find the user linked to (issuer, sub), or
 * link the user with the same verified address, or create one (no usable password). An address the
 * IdP did not verify stays on the identity and never becomes the user's. Names follow the IdP on
 * every exchange.
 */
async function findOrCreateUser(tx: Transaction, identity: IdpIdentity, now: Date): Promise<User> {
  if (!(await rememberIdToken(tx, identity.idTokenHash, identity.idTokenExpiresAt)))
    throw new AuthenticationFailed('This identity provider token was already used.');
  const idpEmail = { email: identity.email, emailVerified: identity.emailVerified, now };
  let user = await findUserByIdentity(tx, identity.issuer, identity.subject);
  if (user) {
    await touchIdentity(tx, identity.issuer, identity.subject, idpEmail);
  } else {
    user = await linkableUser(tx, identity);
    if (!user) {
      const username = await uniqueUsername(tx, identity.preferredUsername);
      user = await insertUser(tx, {
        username,
        ...usernameColumns(username),
        ...emailColumns(identity.emailVerified ? identity.email : '', identity.emailVerified),
        password: null,
        firstName: identity.givenName,
        lastName: identity.familyName,
      });
    }
    await linkIdentity(tx, {
      provider: identity.issuer,
      subject: identity.subject,
      userId: user.id,
      ...idpEmail,
    });
  }
  const namesChanged =
    (identity.givenName && identity.givenName !== user.firstName) ||
    (identity.familyName && identity.familyName !== user.lastName);
  if (namesChanged)
    user =
      (await updateUser(tx, user.id, {
        firstName: identity.givenName || user.firstName,
        lastName: identity.familyName || user.lastName,
      })) ?? user;
  return user;
}

/**
 * The seed's /auth/social-exchange/: IdP tokens (Cognito, or a generic OIDC provider) for the
 * kit's own tokens, answered exactly as sign-in; for a user with TOTP on, the second step instead
 * (`secondStep`: no session until a code is given, docs/contract.md section 9).
 * @throws AuthenticationFailed (401), EmailNotVerified (403), ServiceUnavailable (503).
 */
export async function socialExchange(
  ctx: AuthContext,
  verifier: IdpVerifier | null,
  tokens: { idToken: string; accessToken: string },
  client: ClientInfo,
  now = new Date(),
): Promise<(IssuedTokens & { secondStep?: undefined }) | { secondStep: SecondStepRequired }> {
  const { config } = ctx;
  try {
    if (!verifier)
      throw new AuthenticationFailed('Social sign-in is not configured on this server.');
    const identity = await verifyIdpTokens(verifier, tokens, {
      now,
      idTokenMaxAgeSeconds: config.idTokenMaxAgeSeconds,
    });
    // Two first exchanges for one new identity race on the unique indexes: the loser retries and
    // finds the winner's user, so exactly one user is created.
    let user: User | undefined;
    for (let attempt = 0; !user; attempt++) {
      try {
        user = await ctx.db.transaction((tx) => findOrCreateUser(tx, identity, now));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 2) throw error;
      }
    }
    if (!user.isActive) throw new AuthenticationFailed('This account is inactive.');
    if (await needsSecondFactor(ctx, user))
      return {
        secondStep: await startSecondStep(ctx, {
          user,
          amr: AMR.federated,
          event: 'social_exchange.success',
          now,
        }),
      };
    return await openSession(ctx, {
      user,
      client,
      amr: AMR.federated,
      event: 'social_exchange.success',
      now,
    });
  } catch (error) {
    if (error instanceof AuthError)
      await emitAuthEvent(config, {
        type: 'social_exchange.failure',
        userId: null,
        sid: null,
        address: client.address,
        reason: error.code,
      });
    throw error;
  }
}
