ALTER TABLE "phone_index" ADD COLUMN "indexed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_index_cursors" ADD COLUMN "build_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "phone_index_cursors" ADD COLUMN "build_cursor" bigint;--> statement-breakpoint
ALTER TABLE "phone_index_cursors" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "phone_index_cursors" ADD COLUMN "lease_until" timestamp with time zone;