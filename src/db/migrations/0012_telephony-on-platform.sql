-- Issue 11 phase 2: the telephony connector's state moves onto the platform's tables. An existing
-- data directory keeps its PBX connection (credentials still sealed: they are carried over field by
-- field as `legacy:` JSON and sealed anew, bound to the connection, on first use), its settings and
-- enable switch, the event stream's checkpoint, the CRM-owned phonebook entries (now record links)
-- and the contact-sync errors (now sync errors). Bindings and the call log stay in their tables.
INSERT INTO "connections" ("id", "connector", "single", "label", "state", "settings", "credentials_sealed", "info", "created_at", "updated_at")
SELECT
	'telephony-' || substr(md5(random()::text || clock_timestamp()::text), 1, 8),
	'telephony',
	true,
	(CASE WHEN p."vendor" = 'yeastar' THEN 'Yeastar' ELSE p."vendor" END) || ' at ' || p."base_url",
	CASE WHEN p."enabled" THEN 'enabled' WHEN p."logging_since" IS NOT NULL THEN 'disabled' ELSE 'connected' END,
	p."settings",
	'legacy:' || jsonb_build_object(
		'vendor', p."vendor",
		'baseUrl', p."base_url",
		'clientId', p."client_id",
		'clientSecret', jsonb_build_object('sealed', p."client_secret_sealed", 'aad', 'pbx:client_secret'),
		'webhookSecret', CASE WHEN p."webhook_secret_sealed" IS NULL THEN 'null'::jsonb
			ELSE jsonb_build_object('sealed', p."webhook_secret_sealed", 'aad', 'pbx:webhook_secret') END
	)::text,
	jsonb_build_object('pbx', p."pbx_info", 'streamState', p."stream_state", 'lastError', p."last_error"),
	p."connected_at",
	p."updated_at"
FROM "pbx_connection" p
WHERE p."id" = 'default' AND NOT EXISTS (SELECT 1 FROM "connections" c WHERE c."connector" = 'telephony');
--> statement-breakpoint
INSERT INTO "checkpoints" ("connection_id", "name", "value", "updated_at")
SELECT c."id", 'pbx-events',
	jsonb_build_object('eventsSeenUntil', to_jsonb(p."events_seen_until"), 'loggingSince', to_jsonb(p."logging_since")),
	p."updated_at"
FROM "pbx_connection" p JOIN "connections" c ON c."connector" = 'telephony'
WHERE p."id" = 'default'
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "record_links" ("connection_id", "object_type", "remote_id", "hubspot_id", "state", "hash_to_remote", "created_at", "updated_at", "synced_at")
SELECT c."id", e."object_type", e."pbx_contact_id", e."object_id", 'synced', e."synced_hash", e."synced_at", e."synced_at", e."synced_at"
FROM "phonebook_entries" e JOIN "connections" c ON c."connector" = 'telephony'
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "sync_errors" ("connection_id", "category", "object_type", "record_id", "reason", "first_occurred_at", "occurred_at")
SELECT DISTINCT ON (e."object_type", e."object_id") c."id", 'validation', coalesce(e."object_type", ''), coalesce(e."object_id", ''), e."reason", e."occurred_at", e."occurred_at"
FROM "telephony_sync_errors" e JOIN "connections" c ON c."connector" = 'telephony'
ORDER BY e."object_type", e."object_id", e."occurred_at" DESC;
--> statement-breakpoint
DROP TABLE "pbx_connection" CASCADE;--> statement-breakpoint
DROP TABLE "phonebook_entries" CASCADE;--> statement-breakpoint
DROP TABLE "telephony_sync_errors" CASCADE;
