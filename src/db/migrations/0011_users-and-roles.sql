CREATE TABLE "admin_invites" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "admin_users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- The one admin password becomes the owner whose login is `admin`; the hash moves over unchanged.
INSERT INTO "admin_users" ("id", "email", "role", "password_hash")
SELECT gen_random_uuid()::text, 'admin', 'owner', "value"->>'hash' FROM "app_settings"
WHERE "key" = 'admin_password' AND "value"->>'hash' LIKE 'scrypt$%';--> statement-breakpoint
DELETE FROM "app_settings" WHERE "key" = 'admin_password';--> statement-breakpoint
ALTER TABLE "admin_sessions" ADD COLUMN "user_id" text;--> statement-breakpoint
-- Every session so far was signed in with that password: it stays signed in, as that owner.
UPDATE "admin_sessions" SET "user_id" = (SELECT "id" FROM "admin_users" WHERE "email" = 'admin');--> statement-breakpoint
DELETE FROM "admin_sessions" WHERE "user_id" IS NULL;--> statement-breakpoint
ALTER TABLE "admin_sessions" ALTER COLUMN "user_id" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "admin_invites_token_hash_idx" ON "admin_invites" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "admin_invites_email_idx" ON "admin_invites" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "admin_users_email_idx" ON "admin_users" USING btree ("email");--> statement-breakpoint
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_user_id_admin_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."admin_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_sessions_user_idx" ON "admin_sessions" USING btree ("user_id");