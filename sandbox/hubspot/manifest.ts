/**
 * HubSpot facts the emulator reproduces: limits, fixed messages and header names.
 * Behaviour lives elsewhere; this file is data only (STYLE.md rule 4).
 * Sections refer to shared/reference/hubspot-api.md.
 */

/** §8: rate limits. Every number is overridable through `HubSpotSandboxOptions.limits`. */
export const DEFAULT_LIMITS = {
  /** Public OAuth apps: requests per app per installed portal in a rolling 10 s window (§8). */
  tenSecondly: 110,
  /** Private-app tokens: Professional/Enterprise burst per 10 s (§8 table; Free/Starter is 100). */
  privateAppTenSecondly: 190,
  /** CRM search: requests per second per portal, its own bucket (§3, §8). */
  searchPerSecond: 5,
  /** Private-app daily cap per portal (the brief's default; HubSpot: 250k/625k/1M by tier). */
  daily: 500_000,
  /** §2.1: batch read/create/update/upsert/archive inputs. */
  batchInputs: 100,
  /** §3: search page size. */
  searchPageSize: 200,
  /** §3: total results reachable by paging one query. */
  searchResultCap: 10_000,
  /** §3 + developers.hubspot.com search guide (2026 scrape): 5 groups, 6 filters per group, 18 in total. */
  searchFilterGroups: 5,
  searchFiltersPerGroup: 6,
  searchFiltersTotal: 18,
  /** §3: free-text `query` length. */
  searchQueryLength: 3000,
  /** §2.1: GET list page size (default 10, max 100). */
  listPageSize: 100,
  /** §6: v4 association GET page size (default and max 500). */
  associationsPageSize: 500,
  /** §10.1: events per webhook request. */
  webhookBatchSize: 100,
};

export type SandboxLimits = typeof DEFAULT_LIMITS;

/** §1.2: access tokens live 30 minutes. */
export const ACCESS_TOKEN_TTL_SECONDS = 1800;
/** Authorization codes are single-use and short-lived (§1.1; exact lifetime UNCONFIRMED, we use 10 min). */
export const AUTH_CODE_TTL_SECONDS = 600;
/** §10.1: HubSpot gives a webhook target 5 s before counting the attempt as failed. */
export const WEBHOOK_TIMEOUT_MS = 5000;
/**
 * §10.1: up to 10 retries spread over ~24 h with randomized delays. These are the default
 * delays in ms; tests compress them through `webhookRetryDelaysMs`.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000];

export const RATE_LIMIT_HEADERS = {
  max: 'x-hubspot-ratelimit-max',
  remaining: 'x-hubspot-ratelimit-remaining',
  interval: 'x-hubspot-ratelimit-interval-milliseconds',
  daily: 'x-hubspot-ratelimit-daily',
  dailyRemaining: 'x-hubspot-ratelimit-daily-remaining',
} as const;

export const CORRELATION_HEADER = 'x-hubspot-correlation-id';

/** §8 / §12: the exact strings `@hubspot/api-client`'s RetryDecorator keys on. */
export const RATE_LIMIT_MESSAGES = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
} as const;

/** §9 observed wording. */
export const AUTH_MESSAGES = {
  credentialsNotFound:
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  missingScopes:
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
  /** Legacy hapikey wording (UNCONFIRMED for developer keys; see docs/sandbox/hubspot.md). */
  badDeveloperKey: 'The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/',
} as const;

/**
 * Scopes the authorize page recognises. A scope outside this list is "an invalid scope name"
 * (knowledge.hubspot.com "Resolve a Request for Integration Permissions error").
 */
export const KNOWN_SCOPES = [
  'oauth',
  'automation',
  'content',
  'forms',
  'files',
  'tickets',
  'timeline',
  'e-commerce',
  'sales-email-read',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.owners.read',
  'crm.objects.users.read',
  'crm.objects.custom.read',
  'crm.objects.custom.write',
  'crm.objects.line_items.read',
  'crm.objects.line_items.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'crm.schemas.custom.read',
  'crm.lists.read',
  'crm.lists.write',
  'crm.import',
  'crm.export',
  'settings.users.read',
  'settings.users.teams.read',
  'communication_preferences.read',
  'conversations.read',
  'conversations.write',
];

/** Everything a private app token is granted by default (private apps have fixed scopes, §1.5). */
export const PRIVATE_APP_SCOPES = KNOWN_SCOPES.filter((s) => s !== 'oauth');
