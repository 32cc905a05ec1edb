import { describe, expect, it, vi } from 'vitest';
import type { CustomTokenClaim, UserAttribute } from '@/auth/config/types';
import { buildCustomClaims as buildClaims } from '@/auth/tokens/claims';
import type { Database } from '@/db/client';
import type { User } from '@/db/schema';
import { makeUser } from './fixtures';

/** No getter here reads the database: a stand-in handle, passed to the getters as `{ db }`. */
const db = {} as Database;
const buildCustomClaims = (config: Parameters<typeof buildClaims>[0], user: User) =>
  buildClaims(config, user, db);

const DATE_JOINED_SECONDS = Math.floor(Date.parse('2024-01-02T03:04:05.678Z') / 1000);

function attributes(customTokenUserAttributes: UserAttribute[]) {
  return { customTokenUserAttributes, customTokenClaims: [] };
}

function callables(customTokenClaims: CustomTokenClaim[]) {
  return { customTokenUserAttributes: [], customTokenClaims };
}

describe('customTokenUserAttributes', () => {
  it('gives no claims when none are configured', async () => {
    expect(await buildCustomClaims(attributes([]), makeUser())).toEqual({});
  });

  it("names the claim as written in Django's spelling (is_staff)", async () => {
    expect(await buildCustomClaims(attributes(['is_staff']), makeUser({ isStaff: true }))).toEqual({
      is_staff: true,
    });
  });

  it.each([
    ['first_name', 'firstName', 'Grace'],
    ['last_name', 'lastName', 'Hopper'],
    ['is_active', 'isActive', false],
    ['is_superuser', 'isSuperuser', true],
  ] as const)('reads %s from the row field %s', async (attribute, field, value) => {
    const claims = await buildCustomClaims(attributes([attribute]), makeUser({ [field]: value }));
    expect(claims).toEqual({ [attribute]: value });
  });

  it('names the claim as written in camelCase (isStaff)', async () => {
    expect(await buildCustomClaims(attributes(['isStaff']), makeUser({ isStaff: true }))).toEqual({
      isStaff: true,
    });
  });

  it('reads plain fields such as email and username', async () => {
    const claims = await buildCustomClaims(attributes(['email', 'username']), makeUser());
    expect(claims).toEqual({ email: 'admin@example.com', username: 'admin' });
  });

  it('writes a date as Unix seconds', async () => {
    expect(await buildCustomClaims(attributes(['date_joined']), makeUser())).toEqual({
      date_joined: DATE_JOINED_SECONDS,
    });
  });

  it('writes a null date as null', async () => {
    expect(
      await buildCustomClaims(attributes(['last_login']), makeUser({ lastLogin: null })),
    ).toEqual({ last_login: null });
  });

  it('writes a set last_login as Unix seconds', async () => {
    const lastLogin = new Date('2025-11-28T15:59:59.999Z');
    const claims = await buildCustomClaims(attributes(['last_login']), makeUser({ lastLogin }));
    expect(claims).toEqual({ last_login: Math.floor(lastLogin.getTime() / 1000) });
  });
});

describe('customTokenClaims', () => {
  it('adds the value of a synchronous getter', async () => {
    const claims = await buildCustomClaims(
      callables([{ attrName: 'tenant', attrGetter: () => 'acme' }]),
      makeUser(),
    );
    expect(claims).toEqual({ tenant: 'acme' });
  });

  it('adds the value of an asynchronous getter', async () => {
    const claims = await buildCustomClaims(
      callables([{ attrName: 'roles', attrGetter: async () => ['admin', 'ops'] }]),
      makeUser(),
    );
    expect(claims).toEqual({ roles: ['admin', 'ops'] });
  });

  it('passes the user row and the database to the getter', async () => {
    const attrGetter = vi.fn(() => 1);
    const user = makeUser();
    await buildCustomClaims(callables([{ attrName: 'n', attrGetter }]), user);
    expect(attrGetter).toHaveBeenCalledWith(user, { db });
  });

  it('omits a claim whose getter returns undefined', async () => {
    const claims = await buildCustomClaims(
      callables([{ attrName: 'maybe', attrGetter: () => undefined }]),
      makeUser(),
    );
    expect(claims).not.toHaveProperty('maybe');
  });

  it('omits a claim whose async getter resolves to undefined', async () => {
    const claims = await buildCustomClaims(
      callables([{ attrName: 'maybe', attrGetter: async () => undefined }]),
      makeUser(),
    );
    expect(claims).not.toHaveProperty('maybe');
  });

  it('keeps a claim whose getter returns null', async () => {
    const claims = await buildCustomClaims(
      callables([{ attrName: 'manager', attrGetter: () => null }]),
      makeUser(),
    );
    expect(claims).toEqual({ manager: null });
  });

  it('keeps falsy values such as false, 0 and the empty string', async () => {
    const claims = await buildCustomClaims(
      callables([
        { attrName: 'flag', attrGetter: () => false },
        { attrName: 'count', attrGetter: () => 0 },
        { attrName: 'label', attrGetter: () => '' },
      ]),
      makeUser(),
    );
    expect(claims).toEqual({ flag: false, count: 0, label: '' });
  });

  it('writes a date returned by a getter as Unix seconds', async () => {
    const claims = await buildCustomClaims(
      callables([{ attrName: 'joined', attrGetter: (user) => user.dateJoined as never }]),
      makeUser(),
    );
    expect(claims).toEqual({ joined: DATE_JOINED_SECONDS });
  });

  it('lets a getter override a user attribute of the same name', async () => {
    const claims = await buildCustomClaims(
      {
        customTokenUserAttributes: ['is_staff'],
        customTokenClaims: [{ attrName: 'is_staff', attrGetter: () => 'computed' }],
      },
      makeUser({ isStaff: true }),
    );
    expect(claims).toEqual({ is_staff: 'computed' });
  });

  it('rejects with the error a getter throws', async () => {
    const failure = new Error('directory down');
    const config = callables([{ attrName: 'roles', attrGetter: () => Promise.reject(failure) }]);
    await expect(buildCustomClaims(config, makeUser())).rejects.toBe(failure);
  });
});

describe('customTokenUserAttributes and customTokenClaims together', () => {
  it('recomputes the claims from the user it is given', async () => {
    const config = {
      customTokenUserAttributes: ['is_staff'] as UserAttribute[],
      customTokenClaims: [
        { attrName: 'name', attrGetter: (u: { firstName: string }) => u.firstName },
      ],
    };
    const before = await buildCustomClaims(config, makeUser({ isStaff: false, firstName: 'Ada' }));
    const after = await buildCustomClaims(config, makeUser({ isStaff: true, firstName: 'Grace' }));
    expect([before, after]).toEqual([
      { is_staff: false, name: 'Ada' },
      { is_staff: true, name: 'Grace' },
    ]);
  });
});
