-- Identity hardening (issue 10): canonical usernames and addresses, verified addresses.
-- Linking by address compares users.email_canonical, which only the kit's code computes
-- (src/auth/identity/email.ts). It stays NULL for existing rows, and existing addresses count as
-- unverified (email_verified false), so no existing user is linked by address until the code
-- stores both for it.
DROP INDEX "users_email_lower_idx";--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "email_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "username_canonical" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "username_skeleton" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_canonical" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- The canonical username of existing rows: exactly the code's for ASCII usernames (ASCII
-- lower-casing, independent of the database's ctype); for others, PostgreSQL's NFKC and lower(),
-- an approximation of the code's case folding.
UPDATE "users" SET "username_canonical" = CASE
  WHEN "username" ~ '^[ -~]*$'
    THEN translate("username", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
  ELSE lower(normalize("username", NFKC))
END;--> statement-breakpoint
-- The confusable skeleton for ASCII usernames: the only characters of Django's username alphabet
-- that the confusables table maps are m (to rn), 0 (to O) and 1 (to l). Other rows keep NULL.
UPDATE "users" SET "username_skeleton" =
  replace(replace(replace("username_canonical", 'm', 'rn'), '0', 'O'), '1', 'l')
WHERE "username" ~ '^[ -~]*$';--> statement-breakpoint
-- Usernames that differ only in case (Django's are case-sensitive: an imported `Bob` and `bob`)
-- all keep signing in with their exact names; the oldest keeps the canonical name, the others get
-- a canonical form no username can have (`#` is outside the alphabet), so no new user joins them.
UPDATE "users" AS u SET "username_canonical" = u."username_canonical" || '#' || u."id"
WHERE EXISTS (
  SELECT 1 FROM "users" AS o WHERE o."username_canonical" = u."username_canonical" AND o."id" < u."id"
);--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "username_canonical" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_canonical_key" ON "users" USING btree ("username_canonical");--> statement-breakpoint
CREATE INDEX "users_username_skeleton_idx" ON "users" USING btree ("username_skeleton");--> statement-breakpoint
CREATE INDEX "users_email_canonical_idx" ON "users" USING btree ("email_canonical");
