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

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Identity = typeof identities.$inferSelect;
