import { index, integer, pgTable, serial, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Django's auth_group: a named role. The template's `roles` claim lists the groups of a user
 * (`npm run auth -- grant-role <username> <role>`).
 */
export const groups = pgTable(
  'groups',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 150 }).notNull(),
  },
  (t) => [uniqueIndex('groups_name_key').on(t.name)],
);

/** Django's auth_user_groups: which user is in which group; gone with either side. */
export const userGroups = pgTable(
  'user_groups',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    groupId: integer('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
  },
  (t) => [
    uniqueIndex('user_groups_user_id_group_id_key').on(t.userId, t.groupId),
    index('user_groups_group_id_idx').on(t.groupId),
  ],
);

export type Group = typeof groups.$inferSelect;
