CREATE TABLE "agent_calls" (
	"call_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"direction" text NOT NULL,
	"external_number" text,
	"extension" text NOT NULL,
	"engagement_id" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"view" jsonb,
	"wrap_up" text DEFAULT 'open' NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"disposition" text,
	"saved_at" timestamp with time zone,
	"logged" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_calls_call_id_owner_id_pk" PRIMARY KEY("call_id","owner_id")
);
--> statement-breakpoint
CREATE TABLE "agent_sign_ins" (
	"handoff_hash" text PRIMARY KEY NOT NULL,
	"owner_id" text,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"collected_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "agent_calls_engagement" ON "agent_calls" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "agent_calls_owner" ON "agent_calls" USING btree ("owner_id","wrap_up");--> statement-breakpoint
-- Calling-widget rows of older versions ("widget:<call id>", written beside each call's own row and counted
-- twice on the admin page): the engagement id moves to agent_calls, where the call logger now looks for it,
-- the call's own row is marked as the widget's, and the extra row goes.
INSERT INTO "agent_calls" ("call_id", "owner_id", "direction", "external_number", "extension", "engagement_id", "claimed_at", "wrap_up")
SELECT DISTINCT ON ("engagement_id") "call_id", "owner_id", CASE WHEN "direction" = 'inbound' THEN 'inbound' ELSE 'outbound' END,
  "external_number", coalesce("extension", ''), "engagement_id", "created_at", 'dismissed'
FROM "call_logs" WHERE "cdr_id" LIKE 'widget:%' AND "call_id" IS NOT NULL AND "owner_id" IS NOT NULL AND "engagement_id" IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "call_logs" SET "source" = 'widget'
WHERE "cdr_id" NOT LIKE 'widget:%' AND "engagement_id" IN (SELECT "engagement_id" FROM "call_logs" WHERE "cdr_id" LIKE 'widget:%' AND "engagement_id" IS NOT NULL);--> statement-breakpoint
DELETE FROM "call_logs" WHERE "cdr_id" LIKE 'widget:%';
