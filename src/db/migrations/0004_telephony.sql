CREATE TABLE "auto_created_contacts" (
	"e164" text PRIMARY KEY NOT NULL,
	"contact_id" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "call_logs" (
	"cdr_id" text PRIMARY KEY NOT NULL,
	"call_id" text,
	"direction" text NOT NULL,
	"status" text NOT NULL,
	"extension" text,
	"external_number" text,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"owner_id" text,
	"contact_id" text,
	"company_id" text,
	"engagement_id" text,
	"state" text NOT NULL,
	"detail" text,
	"source" text DEFAULT 'cdr' NOT NULL,
	"writing_since" timestamp with time zone,
	"logged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "extension_bindings" (
	"extension" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"owner_email" text,
	"owner_name" text,
	"user_id" bigint,
	"source" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pbx_connection" (
	"id" text PRIMARY KEY NOT NULL,
	"vendor" text NOT NULL,
	"base_url" text NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_sealed" text NOT NULL,
	"webhook_secret_sealed" text,
	"pbx_info" jsonb NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"settings" jsonb NOT NULL,
	"stream_state" text DEFAULT 'disconnected' NOT NULL,
	"last_error" text,
	"events_seen_until" timestamp with time zone,
	"logging_since" timestamp with time zone,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phonebook_entries" (
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"pbx_contact_id" text NOT NULL,
	"synced_hash" text NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phonebook_entries_object_type_object_id_pk" PRIMARY KEY("object_type","object_id")
);
--> statement-breakpoint
CREATE TABLE "telephony_sync_errors" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"object_type" text,
	"object_id" text,
	"reason" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "call_logs_call_id" ON "call_logs" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "call_logs_created_at" ON "call_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "extension_bindings_owner" ON "extension_bindings" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "telephony_sync_errors_record" ON "telephony_sync_errors" USING btree ("kind","object_type","object_id");