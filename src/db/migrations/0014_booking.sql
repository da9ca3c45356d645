CREATE TABLE "booking_bookings" (
	"source" text NOT NULL,
	"uid" text NOT NULL,
	"root_uid" text NOT NULL,
	"rescheduled_to" text,
	"cancelled" boolean DEFAULT false NOT NULL,
	"details" jsonb,
	"details_at" timestamp with time zone,
	"meeting_id" text,
	"meeting_hash" text,
	"claimed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "booking_bookings_source_uid_pk" PRIMARY KEY("source","uid")
);
--> statement-breakpoint
CREATE TABLE "booking_crm_values" (
	"object_type" text NOT NULL,
	"hubspot_id" text NOT NULL,
	"lookup_key" text,
	"owner_id" text,
	"company_id" text,
	"properties" jsonb NOT NULL,
	"modified_at" timestamp with time zone,
	"full_run" bigint,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "booking_crm_values_object_type_hubspot_id_pk" PRIMARY KEY("object_type","hubspot_id")
);
--> statement-breakpoint
CREATE TABLE "booking_meeting_types" (
	"source" text NOT NULL,
	"event_type_id" text NOT NULL,
	"name" text NOT NULL,
	"slug" text DEFAULT '' NOT NULL,
	"sync_enabled" boolean NOT NULL,
	"create_contacts" boolean NOT NULL,
	"title_template" text NOT NULL,
	"body_template" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "booking_meeting_types_source_event_type_id_pk" PRIMARY KEY("source","event_type_id")
);
--> statement-breakpoint
CREATE TABLE "booking_property_sync" (
	"id" text PRIMARY KEY NOT NULL,
	"contact_properties" jsonb NOT NULL,
	"company_properties" jsonb NOT NULL,
	"test_result" jsonb,
	"running_since" timestamp with time zone,
	"running_mode" text,
	"last_run" jsonb,
	"last_manual_at" timestamp with time zone,
	"owners" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "booking_bookings_root" ON "booking_bookings" USING btree ("source","root_uid");--> statement-breakpoint
CREATE INDEX "booking_crm_values_lookup" ON "booking_crm_values" USING btree ("object_type","lookup_key") WHERE "booking_crm_values"."lookup_key" is not null;