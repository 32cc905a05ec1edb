import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole, revokeRole, rolesOf } from '@/auth/services/roles';
import { refreshTokens } from '@/auth/sessions/rotate';
import { signIn } from '@/auth/services/sign-in';
import { findLiveSession } from '@/db/queries/current-user';
import { consumeRefreshToken } from '@/db/queries/tokens';
import { groupsReadWith } from '@/db/queries/user-row';
import { findUserByUsername } from '@/db/queries/users';
import authConfig from '@/auth.config';
import { startTestKit, type TestKit } from '../support/auth-context';

// The template's `roles` claim (src/auth.config.ts) at every refresh: the refresh statement and
// the session lookup of getCurrentUser() read the user's groups with the user, so the claim costs
// no second statement, and it is as fresh as the row it was read with.

const rolesIn = (accessToken: string) => (decodeJwt(accessToken) as { roles: string[] }).roles;

describe('the roles claim, read with the user', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit(authConfig);
    await kit.user('rho');
  });
  afterAll(() => kit.close());

  it('follows the groups from one refresh to the next, sorted', async () => {
    let issued: { accessToken: string; refreshToken: string } = await signIn(
      kit.ctx,
      { username: 'rho', password: 'rho-password-1' },
      kit.client,
    );
    expect(rolesIn(issued.accessToken)).toEqual([]);
    await grantRole(kit.ctx.db, 'rho', 'zeta');
    await grantRole(kit.ctx.db, 'rho', 'alpha');
    issued = await refreshTokens(kit.ctx, issued.refreshToken, kit.client);
    expect(rolesIn(issued.accessToken)).toEqual(['alpha', 'zeta']);
    await revokeRole(kit.ctx.db, 'rho', 'zeta');
    issued = await refreshTokens(kit.ctx, issued.refreshToken, kit.client);
    expect(rolesIn(issued.accessToken)).toEqual(['alpha']);
  });

  it('comes from the same statement as the user: the rotation and the live-session lookup', async () => {
    const issued = await signIn(
      kit.ctx,
      { username: 'rho', password: 'rho-password-1' },
      kit.client,
    );
    const { jti, sid } = decodeJwt(issued.refreshToken) as { jti: string; sid: string };
    const now = new Date();
    const consumed = await consumeRefreshToken(kit.ctx.db, {
      jti,
      newJti: 'f'.repeat(32),
      now,
      validAt: now,
      newExpiresAt: new Date(now.getTime() + 60_000),
      blacklist: true,
    });
    expect(groupsReadWith(consumed!.user)).toEqual(['alpha']);
    const live = await findLiveSession(kit.ctx.db, { sid, userId: consumed!.user.id, now });
    expect(groupsReadWith(live!.user)).toEqual(['alpha']);
    // Not a field: the user serializer and a spread see the row's fields only.
    expect(Object.keys(live!.user)).not.toContain('groups');
    expect(groupsReadWith({ ...live!.user })).toBeUndefined();
  });

  it('is queried for a user read without them (sign-in reads the user through the ORM)', async () => {
    const user = (await findUserByUsername(kit.ctx.db, 'rho'))!;
    expect(groupsReadWith(user)).toBeUndefined();
    expect(await rolesOf(kit.ctx.db, user)).toEqual(['alpha']);
  });
});
