CREATE TABLE "username_reservations" (
	"id" serial PRIMARY KEY NOT NULL,
	"username" varchar(150) NOT NULL,
	"username_canonical" text NOT NULL,
	"username_skeleton" text NOT NULL,
	"password" text NOT NULL,
	"email_canonical" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "username_reservations_username_key" ON "username_reservations" USING btree ("username");--> statement-breakpoint
CREATE UNIQUE INDEX "username_reservations_username_canonical_key" ON "username_reservations" USING btree ("username_canonical");--> statement-breakpoint
CREATE INDEX "username_reservations_username_skeleton_idx" ON "username_reservations" USING btree ("username_skeleton");