-- The call history's search document: the words of the name, and every digit suffix of the number of three
-- digits or more, so that a prefix query (to_tsquery 'x:*') finds a name by its first letters and a number by
-- any part of it. Immutable, so a generated column may use it; full-text search is built in (no extension).
CREATE FUNCTION call_search_vector(name text, number text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple', coalesce(name, '')) || coalesce(
    (SELECT array_to_tsvector(array_agg(substr(d, i))) FROM (SELECT regexp_replace(coalesce(number, ''), '\D', '', 'g') AS d) AS digits, generate_series(1, length(d) - 2) AS i),
    ''::tsvector)
$$;--> statement-breakpoint
ALTER TABLE "call_logs" ADD COLUMN "record_key" text;--> statement-breakpoint
ALTER TABLE "call_logs" ADD COLUMN "contact_name" text;--> statement-breakpoint
-- Rows of records that shared a CDR id already go by their key; the others learn theirs when logged again.
UPDATE "call_logs" SET "record_key" = "cdr_id" WHERE "cdr_id" LIKE '%|%|%';--> statement-breakpoint
-- Names of calls logged before: what the phone index holds for their contact, else their company.
UPDATE "call_logs" AS c SET "contact_name" = coalesce(
  (SELECT p.label FROM phone_index p WHERE p.object_type = 'contact' AND p.object_id = c.contact_id AND p.label IS NOT NULL LIMIT 1),
  (SELECT p.label FROM phone_index p WHERE p.object_type = 'company' AND p.object_id = c.company_id AND p.label IS NOT NULL LIMIT 1))
WHERE c.contact_id IS NOT NULL OR c.company_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE "call_logs" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (call_search_vector(contact_name, external_number)) STORED;--> statement-breakpoint
CREATE INDEX "call_logs_started" ON "call_logs" USING btree ("started_at","cdr_id");--> statement-breakpoint
CREATE INDEX "call_logs_owner_started" ON "call_logs" USING btree ("owner_id","started_at","cdr_id");--> statement-breakpoint
CREATE INDEX "call_logs_direction_started" ON "call_logs" USING btree ("direction","started_at","cdr_id");--> statement-breakpoint
CREATE INDEX "call_logs_not_logged_started" ON "call_logs" USING btree ("started_at","cdr_id") WHERE state <> 'logged';--> statement-breakpoint
CREATE INDEX "call_logs_search" ON "call_logs" USING gin ("search");
