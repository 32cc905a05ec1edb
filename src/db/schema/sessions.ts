import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

/** A refresh family: every refresh token descending from one sign-in shares its `sid`. */
export const sessions = pgTable(
  'sessions',
  {
    sid: uuid('sid').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    /** Absolute end of the session (sessionMaxLifetime after sign-in); rotation never passes it. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    userAgent: text('user_agent').notNull().default(''),
    ipAddress: text('ip_address').notNull().default(''),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /**
     * When the sign-in (or social exchange) that started the session happened: every access token
     * of the session carries it as `auth_time`, so a refresh never makes a session look fresher.
     */
    authTime: timestamp('auth_time', { withTimezone: true }).notNull().defaultNow(),
    /** How that sign-in authenticated (RFC 8176 `amr`: `{pwd}`, `{fed}`), carried the same way. */
    amr: text('amr')
      .array()
      .notNull()
      .default(sql`'{pwd}'::text[]`),
  },
  (t) => [
    index('sessions_user_id_idx').on(t.userId),
    index('sessions_expires_at_idx').on(t.expiresAt),
  ],
);

export type Session = typeof sessions.$inferSelect;
