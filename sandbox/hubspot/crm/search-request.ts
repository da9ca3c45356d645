/**
 * Parses and checks `PublicObjectSearchRequest` (reference §3) against HubSpot's limits:
 * filter groups/filters, page size 200, the 10,000-result cap and query length.
 * Messages HubSpot's docs do not give fall back to its generic search 400,
 * "There was a problem with the request." (observed, docs/sandbox/hubspot.md).
 * A top-level `filters` array (no group) is applied too, its filters ANDed: the search
 * guide's own associations example uses it, and @hubspot/api-client #491 reports it
 * works; with `filterGroups` as well, it is ANDed into every group (UNCONFIRMED).
 */
import { z } from 'zod';
import { validationError } from '../errors.ts';
import type { SandboxLimits } from '../manifest.ts';

export const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface SearchFilter {
  propertyName: string;
  operator: Operator;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups: SearchFilter[][];
  sort?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' };
  query?: string;
  properties?: string[];
  limit: number;
  after: number;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const filterSchema = z
  .object({
    propertyName: z.string().min(1),
    operator: z.enum(OPERATORS),
    value: scalar.optional().nullable(),
    highValue: scalar.optional().nullable(),
    values: z.array(scalar).optional().nullable(),
  })
  .passthrough();

const sortSchema = z.union([
  z.string().min(1),
  z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).optional() }).passthrough(),
]);

const bodySchema = z
  .object({
    filters: z.array(filterSchema).optional().nullable(),
    filterGroups: z
      .array(z.object({ filters: z.array(filterSchema).optional().default([]) }).passthrough())
      .optional()
      .nullable(),
    sorts: z.array(sortSchema).optional().nullable(),
    query: z.string().optional().nullable(),
    properties: z.array(z.string()).optional().nullable(),
    limit: z.union([z.number(), z.string()]).optional().nullable(),
    after: z.union([z.string(), z.number()]).optional().nullable(),
  })
  .passthrough();

export const GENERIC_SEARCH_ERROR = 'There was a problem with the request.';

export function parseSearchRequest(raw: unknown, limits: SandboxLimits): SearchRequest {
  const parsed = bodySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // HubSpot's Jackson message for a filter without them (@hubspot/api-client #226), less its line/column.
    const missing = missingFilterKeys(raw);
    if (missing.length > 0) throw validationError(`Invalid input JSON: Cannot build Filter, some of required attributes are not set [${missing.join(', ')}]`);
    throw validationError(`Invalid input JSON: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const body = parsed.data;
  const groups = (body.filterGroups ?? []).map((g) => g.filters ?? []);
  const shared = body.filters ?? [];
  if (groups.length > limits.searchFilterGroups) {
    throw validationError(`Too many filter groups: ${groups.length}. The maximum number of filter groups is ${limits.searchFilterGroups}.`);
  }
  // #491: more top-level filters than a group may hold were accepted, so only the total counts them.
  const total = groups.reduce((n, g) => n + g.length, 0) + shared.length;
  if (groups.some((g) => g.length > limits.searchFiltersPerGroup)) {
    throw validationError(`Too many filters in a filter group. The maximum number of filters per group is ${limits.searchFiltersPerGroup}.`);
  }
  if (total > limits.searchFiltersTotal) {
    throw validationError(`Too many filters: ${total}. The maximum number of filters across all groups is ${limits.searchFiltersTotal}.`);
  }
  const sharedFilters = shared.map((f) => checkFilter(f));
  const filterGroups =
    groups.length === 0
      ? sharedFilters.length > 0
        ? [sharedFilters]
        : []
      : groups.map((filters) => [...filters.map((f) => checkFilter(f)), ...sharedFilters]);
  const limit = body.limit === undefined || body.limit === null || body.limit === '' ? 10 : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > limits.searchPageSize) {
    throw validationError(`limit must be an integer between 0 and ${limits.searchPageSize}, got ${String(body.limit)}.`);
  }
  const afterText = body.after === undefined || body.after === null || body.after === '' ? '0' : String(body.after);
  if (!/^\d+$/.test(afterText)) throw validationError(GENERIC_SEARCH_ERROR);
  const after = Number(afterText);
  // §3: "Attempting to page beyond 10,000 will result in a 400 error."
  if (after >= limits.searchResultCap) throw validationError(GENERIC_SEARCH_ERROR);
  if (body.query && body.query.length > limits.searchQueryLength) {
    throw validationError(`Query too long: ${body.query.length} characters. The maximum is ${limits.searchQueryLength}.`);
  }
  const first = body.sorts?.[0];
  const sort =
    first === undefined
      ? undefined
      : typeof first === 'string'
        ? { propertyName: first.replace(/^-/, ''), direction: first.startsWith('-') ? ('DESCENDING' as const) : ('ASCENDING' as const) }
        : { propertyName: first.propertyName, direction: first.direction ?? ('ASCENDING' as const) };
  return {
    filterGroups,
    sort,
    query: body.query?.trim() || undefined,
    properties: body.properties ?? undefined,
    limit,
    after,
  };
}

/** `propertyName`/`operator` absent from some filter of the raw body. */
function missingFilterKeys(raw: unknown): string[] {
  const body = (raw ?? {}) as { filters?: unknown; filterGroups?: unknown };
  const groups = Array.isArray(body.filterGroups) ? body.filterGroups : [];
  const filters = [body.filters, ...groups.map((g) => (g as { filters?: unknown } | null)?.filters)].flatMap((list) => (Array.isArray(list) ? list : []));
  return ['propertyName', 'operator'].filter((key) =>
    filters.some((f) => f !== null && typeof f === 'object' && (f as Record<string, unknown>)[key] === undefined),
  );
}

function checkFilter(filter: z.infer<typeof filterSchema>): SearchFilter {
  const { propertyName, operator } = filter;
  const value = filter.value ?? undefined;
  const values = filter.values ?? undefined;
  const needsValue = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'];
  if (needsValue.includes(operator) && value === undefined) {
    throw validationError(`${operator} operator requires a value for property ${propertyName}.`);
  }
  if (operator === 'BETWEEN' && (filter.highValue === undefined || filter.highValue === null)) {
    // Observed (@hubspot/api-client #128), less the line/column HubSpot's JSON parser reports.
    throw validationError(
      'Invalid input JSON: Cannot construct instance of `com.hubspot.inbounddb.publicobject.core.v3.search.Filter`, problem: operator BETWEEN requires a highValue',
    );
  }
  if ((operator === 'IN' || operator === 'NOT_IN') && (!values || values.length === 0)) {
    throw validationError(`${operator} operator requires values for property ${propertyName}.`);
  }
  return { propertyName, operator, value, highValue: filter.highValue ?? undefined, values };
}
