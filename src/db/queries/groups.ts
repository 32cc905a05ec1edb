import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import { executeCount, queryPrepared, queryRows } from '../execute';

/** The names of a user's groups, sorted (the template's `roles` claim, at every sign-in and refresh). */
export async function groupNamesOf(db: Database, userId: number): Promise<string[]> {
  const rows = await queryPrepared<{ name: string }>(
    db,
    'kit_user_group_names',
    sql`
    select g.name from user_groups ug join groups g on g.id = ug.group_id
    where ug.user_id = ${userId} order by g.name`,
  );
  return rows.map((row) => String(row.name));
}

/**
 * Puts a user in the group `name`, creating the group if it is new, in one statement.
 * @returns false when the user was in it already.
 */
export async function addUserToGroup(db: Database, userId: number, name: string): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`
    with g as (
      insert into groups (name) values (${name})
      on conflict (name) do update set name = excluded.name
      returning id
    )
    insert into user_groups (user_id, group_id) select ${userId}, id from g
    on conflict (user_id, group_id) do nothing
    returning id`,
  );
  return rows.length > 0;
}

/** Takes a user out of the group `name` (the group stays). @returns false when they were not in it. */
export async function removeUserFromGroup(
  db: Database,
  userId: number,
  name: string,
): Promise<boolean> {
  const removed = await executeCount(
    db,
    sql`
    delete from user_groups ug using groups g
    where g.id = ug.group_id and g.name = ${name} and ug.user_id = ${userId}`,
  );
  return removed > 0;
}
