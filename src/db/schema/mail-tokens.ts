import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  pgTable,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from './users';

/** What a mailed link is for (docs/contract.md section 8). */
export const MAIL_TOKEN_PURPOSES = ['verify_email', 'reset_password', 'change_email'] as const;
export type MailTokenPurpose = (typeof MAIL_TOKEN_PURPOSES)[number];

/**
 * The tokens of mailed links: e-mail verification, password reset and e-mail change. Only the
 * SHA-256 hash of a token is stored, so a copy of this table opens no account. A token is used at
 * most once (`used_at`, set by one conditional update), and issuing a new one of the same purpose
 * for the same user deletes the older ones (superseding). Gone with the user.
 */
export const mailTokens = pgTable(
  'mail_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: varchar('purpose', { length: 16 }).$type<MailTokenPurpose>().notNull(),
    /** Hex SHA-256 of the token; the token itself is only ever in the mail. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    /**
     * The address the link was mailed to: for `change_email` the new address, otherwise the
     * user's address at the time, so a link proves only the address it was sent to (a
     * verification link of an address the user has since changed verifies nothing).
     */
    email: varchar('email', { length: 254 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('mail_tokens_token_hash_key').on(t.tokenHash),
    // Superseding deletes a user's older tokens of one purpose.
    index('mail_tokens_user_id_purpose_idx').on(t.userId, t.purpose),
    // flush-expired-tokens deletes expired ones.
    index('mail_tokens_expires_at_idx').on(t.expiresAt),
    check(
      'mail_tokens_purpose_check',
      sql`${t.purpose} in ('verify_email', 'reset_password', 'change_email')`,
    ),
  ],
);

export type MailToken = typeof mailTokens.$inferSelect;
