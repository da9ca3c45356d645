-- T5: which running Spokes holds an auto-created contact's claim, so that its own next attempt takes over a claim
-- it lost its database connection in at once (not after the minute another process's claim must be dead for).
ALTER TABLE "auto_created_contacts" ADD COLUMN "claimed_by" text;
