import { describe, expect, it } from 'vitest';
import { defineAuthConfig } from '@/auth/config/define';
import {
  USER_ATTRIBUTES,
  USER_FIELDS,
  inDjangoNames,
  inRowNames,
  rowFieldOf,
} from '@/auth/config/user-fields';
import { buildCustomClaims } from '@/auth/tokens/claims';
import type { Database } from '@/db/client';
import { makeUser } from '../tokens/fixtures';

describe('the table of user fields', () => {
  it("lists Django's auth_user fields, never the password", () => {
    expect(USER_FIELDS.map((field) => field.row)).toEqual([
      'id',
      'username',
      'email',
      'firstName',
      'lastName',
      'isActive',
      'isStaff',
      'isSuperuser',
      'dateJoined',
      'lastLogin',
    ]);
    expect(USER_ATTRIBUTES).not.toContain('password');
  });

  it('accepts each row name and each Django name as an attribute', () => {
    expect(USER_ATTRIBUTES).toEqual([
      ...USER_FIELDS.map((field) => field.row),
      'first_name',
      'last_name',
      'is_active',
      'is_staff',
      'is_superuser',
      'date_joined',
      'last_login',
    ]);
    expect(defineAuthConfig({ customTokenUserAttributes: [...USER_ATTRIBUTES] })).toBeDefined();
  });

  it.each([
    ['is_staff', 'isStaff'],
    ['date_joined', 'dateJoined'],
    ['email', 'email'],
    ['isStaff', 'isStaff'],
  ])('maps %s to the row field %s', (name, row) => {
    expect(rowFieldOf(name)).toBe(row);
  });

  it('maps nothing else (password, unknown names)', () => {
    expect([rowFieldOf('password'), rowFieldOf('shoe_size')]).toEqual([undefined, undefined]);
  });

  it("renames row fields to Django's names and back, keeping the values", () => {
    const byRow = { email: 'a@example.com', firstName: 'Ann', isStaff: true, lastLogin: null };
    const byDjango = inDjangoNames(byRow);
    expect(byDjango).toEqual({
      email: 'a@example.com',
      first_name: 'Ann',
      is_staff: true,
      last_login: null,
    });
    expect(inRowNames(byDjango)).toEqual(byRow);
    expect(inRowNames({ isStaff: false, is_superuser: true })).toEqual({
      isStaff: false,
      isSuperuser: true,
    });
  });

  it('feeds the claims: every attribute gives its row value, dates as Unix seconds', async () => {
    const user = makeUser({ isStaff: true, lastLogin: new Date('2025-01-01T00:00:10.900Z') });
    const claims = await buildCustomClaims(
      { customTokenUserAttributes: [...USER_ATTRIBUTES], customTokenClaims: [] },
      user,
      {} as Database,
    );
    for (const name of USER_ATTRIBUTES) {
      const value = user[rowFieldOf(name)!];
      expect(claims[name]).toEqual(
        value instanceof Date ? Math.floor(value.getTime() / 1000) : value,
      );
    }
    expect([claims.is_staff, claims.last_login]).toEqual([
      true,
      Math.floor(Date.parse('2025-01-01T00:00:10Z') / 1000),
    ]);
  });
});
