import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from './users';

/** Second factors and passkeys (docs/contract.md section 9; docs/second-factors.md). */

/**
 * Raw bytes (`bytea`) as a Uint8Array with every driver: node-postgres and Neon answer a Buffer,
 * PGlite a Uint8Array; a Buffer is written as it is (it is a Uint8Array).
 */
const bytes = customType<{ data: Uint8Array; driverData: Uint8Array | string }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) =>
    typeof value === 'string'
      ? new Uint8Array(Buffer.from(value.replace(/^\\x/, ''), 'hex'))
      : new Uint8Array(value),
});

/**
 * A user's TOTP authenticator: at most one per user. The row exists from setup on; the factor is
 * on only once `confirmed_at` is set (the user proved the app produces codes).
 */
export const totpFactors = pgTable('totp_factors', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The base32 secret sealed by src/auth/mfa/secret-box.ts (`v1.<nonce>.<ciphertext>`), bound to the user id. */
  secretEnc: text('secret_enc').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  /**
   * The RFC 6238 step of the last code accepted: a code of this step or an earlier one is refused
   * (set with `WHERE last_used_step IS NULL OR last_used_step < $step`, so one code wins once).
   */
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Single-use recovery codes, by hash (src/auth/mfa/recovery-codes.ts); regenerating replaces all. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 (hex) of the user id and the canonical code. */
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    /** Set once, atomically (`WHERE used_at IS NULL`), when the code is used. */
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('recovery_codes_code_hash_key').on(t.codeHash),
    index('recovery_codes_user_id_idx').on(t.userId),
  ],
);

/** WebAuthn credentials (passkeys), one row per credential a user registered. */
export const passkeys = pgTable(
  'passkeys',
  {
    /** The credential id, base64url, as the browser reports it in every sign-in response. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The COSE public key from registration. */
    publicKey: bytes('public_key').notNull(),
    /** The authenticator's signature counter; 0 for authenticators that keep none (synced). */
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    /** How the browser can reach the authenticator (`internal`, `hybrid`, `usb`, ...). */
    transports: text('transports')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The user's label for it ("MacBook", "YubiKey"); shown in the list. */
    name: varchar('name', { length: 100 }).notNull().default(''),
    /** Whether the passkey is synced and backed up (e.g. iCloud Keychain, Google Password Manager). */
    backedUp: boolean('backed_up').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('passkeys_user_id_idx').on(t.userId)],
);

/** What an `auth_challenges` row is for. */
export const CHALLENGE_PURPOSES = ['webauthn_register', 'webauthn_sign_in', 'mfa'] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

/**
 * Short-lived, single-use server-side state of a ceremony: a WebAuthn challenge (registration or
 * sign-in) or an `mfa_token` (the second step of sign-in). Only a hash of the challenge or token
 * is stored; the browser's response carries the challenge and the client the token, and the row
 * is found by its hash and consumed atomically (`SET used_at = now() WHERE used_at IS NULL AND
 * expires_at > now()`).
 */
export const authChallenges = pgTable(
  'auth_challenges',
  {
    id: uuid('id').primaryKey(),
    purpose: varchar('purpose', { length: 32 }).$type<ChallengePurpose>().notNull(),
    /** The user it was issued for; null for a discoverable passkey sign-in (no user known yet). */
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 (hex) of the WebAuthn challenge or of the mfa_token. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    /** Wrong codes given with an mfa_token: at the fifth the token is dead. */
    failures: integer('failures').notNull().default(0),
    /**
     * What the finished ceremony needs from its start: for an mfa_token the first factor's `amr`
     * and `auth_time` and the sign-in's device context, so the session is created as sign-in would.
     */
    context: jsonb('context').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('auth_challenges_token_hash_key').on(t.tokenHash),
    index('auth_challenges_user_id_idx').on(t.userId),
    index('auth_challenges_expires_at_idx').on(t.expiresAt),
    check(
      'auth_challenges_purpose_check',
      sql`${t.purpose} in ('webauthn_register', 'webauthn_sign_in', 'mfa')`,
    ),
  ],
);

export type TotpFactor = typeof totpFactors.$inferSelect;
export type RecoveryCode = typeof recoveryCodes.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
export type AuthChallenge = typeof authChallenges.$inferSelect;
