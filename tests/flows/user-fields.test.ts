import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateProfile } from '@/auth/services/profile';
import { importDjangoUsers } from '@/auth/services/users';
import { findUserByUsername } from '@/db/queries/users';
import { startTestKit, type TestKit } from '../support/auth-context';

/** The Django import and the profile form read Django's names from the table of user fields. */
describe("Django's field names, in process", () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit();
  });
  afterAll(() => kit.close());

  it('imports every auth_user column under its Django name into the row field', async () => {
    const result = await importDjangoUsers(kit.ctx.db, [
      {
        model: 'auth.user',
        pk: 4100,
        fields: {
          username: 'django-ann',
          password: 'pbkdf2_sha256$870000$salt$hash',
          email: 'ann@example.com',
          first_name: 'Ann',
          last_name: 'Lee',
          is_active: false,
          is_staff: true,
          is_superuser: true,
          date_joined: '2020-02-03T04:05:06Z',
          last_login: '2024-05-06T07:08:09+02:00',
        },
      },
      { model: 'auth.user', pk: 4101, fields: { username: 'django-bo' } },
      { model: 'auth.group', pk: 1, fields: { name: 'staff' } },
    ]);
    expect(result).toEqual({ inserted: 2, skipped: 0, ignored: 1 });
    expect(await findUserByUsername(kit.ctx.db, 'django-ann')).toMatchObject({
      id: 4100,
      password: 'pbkdf2_sha256$870000$salt$hash',
      email: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      isActive: false,
      isStaff: true,
      isSuperuser: true,
      dateJoined: new Date('2020-02-03T04:05:06Z'),
      lastLogin: new Date('2024-05-06T05:08:09Z'),
    });
    // Django's defaults for the columns a dump leaves out.
    expect(await findUserByUsername(kit.ctx.db, 'django-bo')).toMatchObject({
      id: 4101,
      password: null,
      email: '',
      firstName: '',
      lastName: '',
      isActive: true,
      isStaff: false,
      isSuperuser: false,
      lastLogin: null,
    });
  });

  it('names the bad column by its Django name', async () => {
    await expect(
      importDjangoUsers(kit.ctx.db, [
        { model: 'auth.user', pk: 4102, fields: { username: 'django-cy', is_staff: 'yes' } },
      ]),
    ).rejects.toThrow(/^entry 0 \(pk 4102\): fields\.is_staff: /);
  });

  it('saves the profile form (first_name, last_name) into the row, and reports by those names', async () => {
    const user = await kit.user('profile-dee');
    expect(
      await updateProfile(kit.ctx, user.id, { first_name: ' Dee ', last_name: 'Ray' }),
    ).toEqual({ ok: true, firstName: 'Dee', lastName: 'Ray' });
    expect(await findUserByUsername(kit.ctx.db, 'profile-dee')).toMatchObject({
      firstName: 'Dee',
      lastName: 'Ray',
    });
    const refused = await updateProfile(kit.ctx, user.id, {
      first_name: 'x'.repeat(151),
      last_name: 'Ray',
    });
    expect(refused).toEqual({
      ok: false,
      error: 'invalid',
      fieldErrors: { first_name: ['at most 150 characters'] },
    });
  });
});
