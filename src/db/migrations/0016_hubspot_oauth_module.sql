-- HubSpot's install flow keeps its `state` in oauth_authorizations (connector `hubspot`, src/oauth) now.
-- A pending one (10 minutes at most) is not carried over: an admin mid-"Connect" clicks it again.
DROP TABLE "hubspot_authorizations" CASCADE;