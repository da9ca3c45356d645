ALTER TABLE "booking_property_sync" ADD COLUMN "routing_token_hash" text;--> statement-breakpoint
ALTER TABLE "booking_property_sync" ADD COLUMN "routing_token_created_at" timestamp with time zone;