import {
  boolean,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';

/** Django's auth_user, field for field, so a user table can be imported from Django. */
export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    username: varchar('username', { length: 150 }).notNull(),
    /** NFKC and case-folded (src/auth/identity): unique, so `Admin` cannot join `admin`. */
    usernameCanonical: text('username_canonical').notNull(),
    /** The confusable skeleton (UTS 39); null for users that existed before it was introduced. */
    usernameSkeleton: text('username_skeleton'),
    email: varchar('email', { length: 254 }).notNull().default(''),
    /**
     * The address in the form linking compares (src/auth/identity/email.ts), always computed in
     * code; null when the address may never link automatically, or was stored before this column.
     */
    emailCanonical: text('email_canonical'),
    /** Whether the user proved they own `email`: only then may an IdP identity link by address. */
    emailVerified: boolean('email_verified').notNull().default(false),
    /**
     * Created by its owner through POST /auth/sign-up/ (not the CLI, an import or an IdP): while
     * `requireEmailVerification` is on, such an account signs in only once `email` is verified.
     */
    selfRegistered: boolean('self_registered').notNull().default(false),
    /** Django's encoded hash (`argon2$...`, `pbkdf2_sha256$...`); null or `!...`: no usable password. */
    password: text('password'),
    firstName: varchar('first_name', { length: 150 }).notNull().default(''),
    lastName: varchar('last_name', { length: 150 }).notNull().default(''),
    isActive: boolean('is_active').notNull().default(true),
    isStaff: boolean('is_staff').notNull().default(false),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    dateJoined: timestamp('date_joined', { withTimezone: true }).notNull().defaultNow(),
    lastLogin: timestamp('last_login', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_username_key').on(t.username),
    uniqueIndex('users_username_canonical_key').on(t.usernameCanonical),
    index('users_username_skeleton_idx').on(t.usernameSkeleton),
    // Linking an IdP identity by verified address looks users up by the canonical address.
    index('users_email_canonical_idx').on(t.emailCanonical),
  ],
);

/** A link between a user and an identity at an external IdP (issuer + `sub`). */
export const identities = pgTable(
  'identities',
  {
    id: serial('id').primaryKey(),
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The address the IdP gave; an unverified one stays here and never becomes the user's. */
    email: varchar('email', { length: 254 }).notNull().default(''),
    emailVerified: boolean('email_verified').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('identities_provider_subject_key').on(t.provider, t.subject),
    index('identities_user_id_idx').on(t.userId),
  ],
);

/**
 * A username held by a sign-up whose address already had an account (docs/accounts.md, "No
 * enumeration, and why"). Such a sign-up creates no account, but its username must look exactly as
 * taken as the unverified account a free address would have made: sign-up refuses it (and its
 * case and lookalike forms), and sign-in answers the password the sign-up gave with 403
 * `email_not_verified`, any other with the usual 401. It never signs in. It lives as long as that
 * unverified account would (the kit deletes neither), so a later probe cannot tell them apart.
 */
export const usernameReservations = pgTable(
  'username_reservations',
  {
    id: serial('id').primaryKey(),
    /** The username as sign-up normalised it (NFKC); sign-in matches it exactly, as for users. */
    username: varchar('username', { length: 150 }).notNull(),
    usernameCanonical: text('username_canonical').notNull(),
    usernameSkeleton: text('username_skeleton').notNull(),
    /** The Argon2id hash of the password the sign-up gave: the 403 answers it, nothing else. */
    password: text('password').notNull(),
    /** The canonical address the sign-up named (an account's): for an operator's support case. */
    emailCanonical: text('email_canonical').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('username_reservations_username_key').on(t.username),
    uniqueIndex('username_reservations_username_canonical_key').on(t.usernameCanonical),
    index('username_reservations_username_skeleton_idx').on(t.usernameSkeleton),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Identity = typeof identities.$inferSelect;
export type UsernameReservation = typeof usernameReservations.$inferSelect;
