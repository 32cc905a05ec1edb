import { index, integer, pgTable, primaryKey, text, timestamp, varchar } from 'drizzle-orm/pg-core';

/**
 * Sign-in attempts counted per fixed window, one row per (scope, key): a username's failures or
 * an address's attempts. Kept in the database so limits hold across server instances.
 */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    scope: varchar('scope', { length: 16 }).notNull(),
    key: text('key').notNull(),
    count: integer('count').notNull(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index('sign_in_attempts_window_idx').on(t.windowStartedAt),
  ],
);
