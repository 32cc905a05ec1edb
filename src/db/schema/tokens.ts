import {
  bigserial,
  bigint,
  index,
  integer,
  pgTable,
  timestamp,
  uuid,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { sessions } from './sessions';
import { users } from './users';

/** simplejwt's OutstandingToken: every refresh token issued, by `jti`. */
export const outstandingTokens = pgTable(
  'outstanding_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jti: varchar('jti', { length: 64 }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sid: uuid('sid')
      .notNull()
      .references(() => sessions.sid, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set once, atomically, when the token is rotated: the successor it was exchanged for. */
    replacedByJti: varchar('replaced_by_jti', { length: 64 }),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('outstanding_tokens_jti_key').on(t.jti),
    index('outstanding_tokens_sid_idx').on(t.sid),
    index('outstanding_tokens_expires_at_idx').on(t.expiresAt),
  ],
);

/** simplejwt's BlacklistedToken: an outstanding token that may no longer be used. */
export const blacklistedTokens = pgTable(
  'blacklisted_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tokenId: bigint('token_id', { mode: 'number' })
      .notNull()
      .references(() => outstandingTokens.id, { onDelete: 'cascade' }),
    blacklistedAt: timestamp('blacklisted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('blacklisted_tokens_token_id_key').on(t.tokenId)],
);

/** IdP id tokens already exchanged (by hash), so each is accepted once until it expires. */
export const usedIdTokens = pgTable(
  'used_id_tokens',
  {
    tokenHash: varchar('token_hash', { length: 64 }).primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('used_id_tokens_expires_at_idx').on(t.expiresAt)],
);

export type OutstandingToken = typeof outstandingTokens.$inferSelect;
