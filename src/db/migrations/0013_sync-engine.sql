CREATE TABLE "sync_records" (
	"connection_id" text NOT NULL,
	"sync" text NOT NULL,
	"remote_id" text NOT NULL,
	"identity" text,
	"modified_at" timestamp with time zone NOT NULL,
	"values" jsonb NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"hubspot_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_records_connection_id_sync_remote_id_pk" PRIMARY KEY("connection_id","sync","remote_id")
);
--> statement-breakpoint
ALTER TABLE "sync_records" ADD CONSTRAINT "sync_records_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_records_identity" ON "sync_records" USING btree ("connection_id","sync","identity");--> statement-breakpoint
CREATE INDEX "sync_records_state" ON "sync_records" USING btree ("connection_id","sync","state") WHERE "sync_records"."state" <> 'synced';