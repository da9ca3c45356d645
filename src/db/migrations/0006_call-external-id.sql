ALTER TABLE "call_logs" ADD COLUMN "external_id" text;--> statement-breakpoint
CREATE INDEX "call_logs_external_id" ON "call_logs" USING btree ("external_id");