CREATE TABLE "hubspot_app" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_sealed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hubspot_authorizations" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hubspot_connection" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"base_url" text NOT NULL,
	"portal_id" bigint NOT NULL,
	"account_name" text NOT NULL,
	"hub_domain" text,
	"connected_by" text,
	"scopes" jsonb NOT NULL,
	"access_token_sealed" text NOT NULL,
	"refresh_token_sealed" text,
	"access_expires_at" timestamp with time zone,
	"last_error" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_index" (
	"portal_id" bigint NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"property" text NOT NULL,
	"e164" text,
	"tail" text NOT NULL,
	"raw" text NOT NULL,
	"label" text,
	"company_id" text,
	"modified_at" timestamp with time zone,
	CONSTRAINT "phone_index_portal_id_object_type_object_id_property_pk" PRIMARY KEY("portal_id","object_type","object_id","property")
);
--> statement-breakpoint
CREATE TABLE "phone_index_cursors" (
	"portal_id" bigint NOT NULL,
	"object_type" text NOT NULL,
	"modified_after" bigint NOT NULL,
	"last_full_build_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phone_index_cursors_portal_id_object_type_pk" PRIMARY KEY("portal_id","object_type")
);
--> statement-breakpoint
CREATE INDEX "phone_index_e164" ON "phone_index" USING btree ("portal_id","e164");--> statement-breakpoint
CREATE INDEX "phone_index_tail" ON "phone_index" USING btree ("portal_id","tail");