import type { User } from '@/db/schema';

/**
 * The one table of the user fields a token may carry (the seed's CUSTOM_TOKEN_USER_ATTRIBUTES):
 * the row's name and, where Django spells it differently, Django's (auth_user's column). The
 * attribute names customTokenUserAttributes accepts, the `DjangoUserField` and `UserAttribute`
 * types, the claim types (infer.ts), the claim values (tokens/claims.ts) and the Django names the
 * user import and the profile form read (services/users.ts, services/profile.ts) all come from
 * here. The password hash is not in it, and never will be.
 */
export const USER_FIELDS = [
  { row: 'id' },
  { row: 'username' },
  { row: 'email' },
  { row: 'firstName', django: 'first_name' },
  { row: 'lastName', django: 'last_name' },
  { row: 'isActive', django: 'is_active' },
  { row: 'isStaff', django: 'is_staff' },
  { row: 'isSuperuser', django: 'is_superuser' },
  { row: 'dateJoined', django: 'date_joined' },
  { row: 'lastLogin', django: 'last_login' },
] as const satisfies readonly { row: Exclude<keyof User, 'password'>; django?: string }[];

type UserField = (typeof USER_FIELDS)[number];

/** Django's spelling of the user fields, accepted as well as the camelCase row names. */
export type DjangoUserField = Extract<UserField, { django: string }>['django'];

/**
 * The user attributes that may be copied into tokens (CUSTOM_TOKEN_USER_ATTRIBUTES); the claim
 * is named as written, so `'is_staff'` gives an `is_staff` claim as in the seed.
 */
export type UserAttribute = UserField['row'] | DjangoUserField;

/** The row field an attribute names (`is_staff` → `isStaff`, `email` → `email`). */
export type RowFieldOf<Name> = Name extends DjangoUserField
  ? Extract<UserField, { django: Name }>['row']
  : Name & UserField['row'];

/** Django's spelling of a row field (`firstName` → `first_name`, `email` → `email`). */
export type DjangoNameOf<Row> = Row extends unknown
  ? Extract<UserField, { row: Row }> extends { django: infer Name extends string }
    ? Name
    : Row & string
  : never;

const ROW_FIELD = new Map<string, UserField['row']>(
  USER_FIELDS.flatMap((field): [string, UserField['row']][] =>
    'django' in field
      ? [
          [field.row, field.row],
          [field.django, field.row],
        ]
      : [[field.row, field.row]],
  ),
);

/** Every name customTokenUserAttributes accepts: the row names, then Django's. */
export const USER_ATTRIBUTES: readonly UserAttribute[] = [
  ...USER_FIELDS.map((field) => field.row),
  ...USER_FIELDS.flatMap((field) => ('django' in field ? [field.django] : [])),
];

/** The row field an attribute names, or undefined when it is not a user attribute. */
export function rowFieldOf(name: string): UserField['row'] | undefined {
  return ROW_FIELD.get(name);
}

const DJANGO_NAME = new Map<string, string>(
  USER_FIELDS.map((field) => [field.row, 'django' in field ? field.django : field.row]),
);

/**
 * Renames the keys of an object keyed by row field to Django's spelling
 * (`{ firstName: x }` → `{ first_name: x }`), for what reads or writes Django's names.
 */
export function inDjangoNames<T extends Partial<Record<UserField['row'], unknown>>>(
  byRow: T,
): { [K in keyof T as DjangoNameOf<K>]: T[K] } {
  return Object.fromEntries(
    Object.entries(byRow).map(([row, value]) => [DJANGO_NAME.get(row) ?? row, value]),
  ) as { [K in keyof T as DjangoNameOf<K>]: T[K] };
}

/**
 * The reverse of inDjangoNames: renames Django-spelled keys to the row fields
 * (`{ first_name: x }` → `{ firstName: x }`); keys that are already row names stay.
 */
export function inRowNames<T extends Partial<Record<UserAttribute, unknown>>>(
  byName: T,
): { [K in keyof T as RowFieldOf<K>]: T[K] } {
  return Object.fromEntries(
    Object.entries(byName).map(([name, value]) => [rowFieldOf(name) ?? name, value]),
  ) as { [K in keyof T as RowFieldOf<K>]: T[K] };
}
