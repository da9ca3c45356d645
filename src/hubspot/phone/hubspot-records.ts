/**
 * The HubSpot side of the phone index: which properties are read for each
 * object type, the calls that read them (search pages, batch reads, the list of
 * archived records) — always through `hubspot.api.call`, so they draw on the
 * account's shared rate budget — and the zod schemas their answers must pass.
 */
import { z } from 'zod';
import type { Client } from '@hubspot/api-client';
import type { HubSpotApi } from '../api.ts';
import { RemoteRejectedError } from '../../errors.ts';
import { HUBSPOT } from '../manifest.ts';
import type { PhoneObjectType, PhoneRecord } from './phone-index.ts';

export interface PhoneObjectSpec {
  /** CRM path segment. */
  apiType: 'contacts' | 'companies';
  /** §2.4: contacts `lastmodifieddate`, companies `hs_lastmodifieddate` (the other one is never set on contacts). */
  lastModified: string;
  phoneProperties: readonly string[];
  /** Every property read: numbers, what the label and the primary company come from, the region hint. */
  properties: readonly string[];
}

/**
 * Contacts carry their primary company as `associatedcompanyid` ("Primary Associated
 * Company ID", read-only, maintained by HubSpot from the primary association, type 1),
 * so one search page gives it for 200 contacts without an associations call.
 */
export const PHONE_OBJECTS: Record<PhoneObjectType, PhoneObjectSpec> = {
  contact: {
    apiType: 'contacts',
    lastModified: 'lastmodifieddate',
    phoneProperties: ['phone', 'mobilephone'],
    properties: ['phone', 'mobilephone', 'firstname', 'lastname', 'associatedcompanyid', 'country', 'lastmodifieddate'],
  },
  company: {
    apiType: 'companies',
    lastModified: 'hs_lastmodifieddate',
    phoneProperties: ['phone'],
    properties: ['phone', 'name', 'country', 'hs_lastmodifieddate'],
  },
};

const apiRecord = z.object({
  id: z.string().regex(/^\d+$/, 'a HubSpot record id'),
  properties: z.record(z.string(), z.string().nullable().optional()),
  updatedAt: z.union([z.date(), z.string()]).optional(),
});
export type ApiRecord = z.infer<typeof apiRecord>;

const searchAnswer = z.object({
  total: z.number().int(),
  results: z.array(apiRecord),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
export type SearchPage = z.infer<typeof searchAnswer>;

const batchRead = z.object({
  results: z.array(apiRecord),
  errors: z.array(z.object({ category: z.string(), context: z.record(z.string(), z.array(z.string())).optional() })).optional(),
});

const listPage = z.object({
  results: z.array(z.object({ id: z.string() })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** A remote answer that does not have the shape Spokes relies on. */
export function parseRemote<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RemoteRejectedError(`${what}: HubSpot's answer has an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message})`);
  }
  return parsed.data;
}

/** The record's last-modified time in ms (its `…lastmodifieddate`, else `updatedAt`). */
export function modifiedMs(type: PhoneObjectType, record: ApiRecord): number {
  const value = record.properties[PHONE_OBJECTS[type].lastModified];
  const ms = value ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(ms)) return ms;
  const updated = record.updatedAt instanceof Date ? record.updatedAt.getTime() : Date.parse(record.updatedAt ?? '');
  if (Number.isFinite(updated)) return updated;
  throw new RemoteRejectedError(`HubSpot ${PHONE_OBJECTS[type].apiType} ${record.id} has no last-modified time`);
}

/** A HubSpot record as the phone index stores it. */
export function toPhoneRecord(type: PhoneObjectType, record: ApiRecord): PhoneRecord {
  const p = record.properties;
  const phones: Record<string, string | null | undefined> = {};
  for (const name of PHONE_OBJECTS[type].phoneProperties) phones[name] = p[name];
  const label =
    type === 'contact'
      ? [p.firstname, p.lastname]
          .map((s) => s?.trim())
          .filter(Boolean)
          .join(' ')
      : p.name?.trim();
  return {
    objectType: type,
    objectId: record.id,
    label: label || null,
    companyId: type === 'contact' && p.associatedcompanyid ? p.associatedcompanyid : null,
    modifiedAt: new Date(modifiedMs(type, record)),
    region: countryToRegion(p.country),
    phones,
  };
}

/** HubSpot's `country` is free text: ISO-2 codes and the common names of frequent countries. */
const COUNTRY_NAMES: Record<string, string> = {
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  canada: 'CA',
  mexico: 'MX',
  méxico: 'MX',
  brazil: 'BR',
  brasil: 'BR',
  argentina: 'AR',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  ireland: 'IE',
  germany: 'DE',
  deutschland: 'DE',
  austria: 'AT',
  österreich: 'AT',
  switzerland: 'CH',
  schweiz: 'CH',
  suisse: 'CH',
  france: 'FR',
  belgium: 'BE',
  belgique: 'BE',
  netherlands: 'NL',
  'the netherlands': 'NL',
  nederland: 'NL',
  luxembourg: 'LU',
  italy: 'IT',
  italia: 'IT',
  spain: 'ES',
  españa: 'ES',
  portugal: 'PT',
  poland: 'PL',
  polska: 'PL',
  czechia: 'CZ',
  'czech republic': 'CZ',
  sweden: 'SE',
  norway: 'NO',
  denmark: 'DK',
  finland: 'FI',
  greece: 'GR',
  turkey: 'TR',
  türkiye: 'TR',
  japan: 'JP',
  日本: 'JP',
  china: 'CN',
  'hong kong': 'HK',
  taiwan: 'TW',
  'south korea': 'KR',
  korea: 'KR',
  singapore: 'SG',
  thailand: 'TH',
  india: 'IN',
  indonesia: 'ID',
  philippines: 'PH',
  vietnam: 'VN',
  australia: 'AU',
  'new zealand': 'NZ',
  'south africa': 'ZA',
  israel: 'IL',
  'united arab emirates': 'AE',
  uae: 'AE',
};

export function countryToRegion(country: string | null | undefined): string | null {
  const text = country?.trim();
  if (!text) return null;
  if (/^[A-Za-z]{2}$/.test(text)) return text.toUpperCase();
  return COUNTRY_NAMES[text.toLowerCase()] ?? null;
}

export interface SearchWindow {
  /** Records modified after this (ms), sorted by last-modified time… */
  modifiedAfter?: number;
  /** …or, to drain more records than the result cap that share one timestamp: that timestamp, by id. */
  tie?: { modifiedAt: number; afterId: string };
  after: number;
  limit: number;
}

/** One search page: `GT` the cursor and ascending by last-modified time, or one timestamp by id (§3). */
export async function searchPage(api: HubSpotApi, type: PhoneObjectType, window: SearchWindow, signal?: AbortSignal): Promise<SearchPage> {
  const spec = PHONE_OBJECTS[type];
  const filters = window.tie
    ? [
        { propertyName: spec.lastModified, operator: 'EQ', value: String(window.tie.modifiedAt) },
        { propertyName: 'hs_object_id', operator: 'GT', value: window.tie.afterId },
      ]
    : [{ propertyName: spec.lastModified, operator: 'GT', value: String(window.modifiedAfter ?? 0) }];
  const request = {
    filterGroups: [{ filters }],
    // HubSpot's documented form; the SDK types `sorts` as strings, hence the cast below.
    sorts: [{ propertyName: window.tie ? 'hs_object_id' : spec.lastModified, direction: 'ASCENDING' }],
    properties: [...spec.properties],
    limit: window.limit,
    after: String(window.after),
  };
  const answer = await api.call(
    `phone index: search ${spec.apiType}`,
    (client) => client.crm.objects.searchApi.doSearch(spec.apiType, request as unknown as Parameters<Client['crm']['objects']['searchApi']['doSearch']>[1]),
    { rateLimitRetries: 3, signal },
  );
  return parseRemote(searchAnswer, answer, `searching ${spec.apiType}`);
}

/**
 * Reads records by id, one batch read per 100 ids (§2.1). Returns the records found
 * and the requested ids HubSpot no longer has (deleted, or merged into another id).
 */
export async function readRecords(
  api: HubSpotApi,
  type: PhoneObjectType,
  ids: string[],
  signal?: AbortSignal,
): Promise<{ found: ApiRecord[]; gone: string[] }> {
  const spec = PHONE_OBJECTS[type];
  const found: ApiRecord[] = [];
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i += HUBSPOT.batchSize) {
    const chunk = ids.slice(i, i + HUBSPOT.batchSize);
    const answer = await api.call(
      `phone index: read ${spec.apiType}`,
      (client) =>
        client.crm.objects.batchApi.read(
          spec.apiType,
          { inputs: chunk.map((id) => ({ id })), properties: [...spec.properties], propertiesWithHistory: [] },
          false,
        ),
      { rateLimitRetries: 3, signal },
    );
    const page = parseRemote(batchRead, answer, `reading ${spec.apiType}`);
    found.push(...page.results);
    // A merged-away id answers with the surviving record, under its own id.
    const returned = new Set(page.results.map((r) => r.id));
    gone.push(...chunk.filter((id) => !returned.has(id)));
  }
  return { found, gone };
}

/** Ids of archived (deleted) records, first `maxPages` pages of 100. */
export async function archivedIds(
  api: HubSpotApi,
  type: PhoneObjectType,
  maxPages: number,
  signal?: AbortSignal,
): Promise<{ ids: string[]; complete: boolean }> {
  const spec = PHONE_OBJECTS[type];
  const ids: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await api.call(
      `phone index: list deleted ${spec.apiType}`,
      (client) => client.crm.objects.basicApi.getPage(spec.apiType, 100, after, ['hs_object_id'], undefined, undefined, true),
      { rateLimitRetries: 3, signal },
    );
    const list = parseRemote(listPage, answer, `listing deleted ${spec.apiType}`);
    ids.push(...list.results.map((r) => r.id));
    after = list.paging?.next?.after;
    if (!after) return { ids, complete: true };
  }
  return { ids, complete: false };
}
