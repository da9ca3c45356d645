/**
 * Records as the v3 API returns them (reference §2.2): values are strings, requested
 * properties without a value are `null`, unknown requested properties are left out,
 * and the created/modified/id system properties always come along.
 */
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import { formatTimestamp } from '../time-format.ts';

export interface SerializeOptions {
  properties?: string[];
  propertiesWithHistory?: string[];
  associations?: ObjectTypeName[];
  /** Where the emulator is reached: records it has a page for get HubSpot's `url` (see below). */
  baseUrl?: string;
}

/**
 * HubSpot's records carry `url`, the record's page in the app (`https://app.hubspot.com/contacts/
 * {portalId}/record/0-1/{id}`): seen in captured search and batch create/update answers (amp-labs/
 * connectors test data, 2025-2026). Here it points at the emulator's own record page, which exists
 * for contacts, companies and deals; engagements get none (their page address is UNCONFIRMED).
 */
const RECORD_PAGE_TYPES = new Set<ObjectTypeName>(['contacts', 'companies', 'deals']);

export function serializeRecord(portal: Portal, type: ObjectTypeName, record: DbRecord, options: SerializeOptions = {}): Record<string, unknown> {
  const info = OBJECT_TYPES[type];
  const requested = options.properties && options.properties.length > 0 ? options.properties : info.defaultProperties;
  const names = new Set([...requested, info.createdProperty, info.lastModifiedProperty, 'hs_object_id']);
  const properties: Record<string, string | null> = {};
  for (const name of [...names].sort()) {
    if (!portal.properties.get(type, name)) continue;
    properties[name] = name === 'hs_object_id' ? String(record.id) : (record.properties[name] ?? null);
  }
  const body: Record<string, unknown> = {
    id: String(record.id),
    properties,
    createdAt: formatTimestamp(record.createdAt),
    updatedAt: formatTimestamp(record.updatedAt),
    archived: record.archived,
  };
  if (record.archived && record.archivedAt !== undefined) body.archivedAt = formatTimestamp(record.archivedAt);
  if (options.baseUrl && RECORD_PAGE_TYPES.has(type)) body.url = `${options.baseUrl}/contacts/${portal.portalId}/record/${info.typeId}/${record.id}`;
  if (options.propertiesWithHistory && options.propertiesWithHistory.length > 0) {
    body.propertiesWithHistory = historyOf(portal, type, record, options.propertiesWithHistory);
  }
  if (options.associations && options.associations.length > 0) {
    const associations = v3Associations(portal, type, record.id, options.associations);
    if (Object.keys(associations).length > 0) body.associations = associations;
  }
  return body;
}

function historyOf(portal: Portal, type: ObjectTypeName, record: DbRecord, names: string[]): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  for (const name of names) {
    if (!portal.properties.get(type, name)) continue;
    const entries =
      record.history?.[name] ??
      (record.properties[name] !== undefined ? [{ value: record.properties[name], timestamp: record.createdAt, sourceType: 'API' }] : []);
    result[name] = [...entries].reverse().map((e) => ({ value: e.value, timestamp: formatTimestamp(e.timestamp), sourceType: e.sourceType }));
  }
  return result;
}

/** §2.2: `associations=companies` adds `{companies:{results:[{id,type}]}}`, one row per type. */
export function v3Associations(
  portal: Portal,
  type: ObjectTypeName,
  id: number,
  targets: ObjectTypeName[],
): Record<string, { results: Array<{ id: string; type: string }> }> {
  const map: Record<string, { results: Array<{ id: string; type: string }> }> = {};
  for (const target of targets) {
    const results: Array<{ id: string; type: string }> = [];
    for (const edge of portal.associations.list(type, id, target)) {
      const targetRecord = portal.store(target).get(edge.toId);
      if (!targetRecord || targetRecord.archived) continue;
      for (const definition of edge.types) results.push({ id: String(edge.toId), type: definition.v3Name });
    }
    if (results.length > 0) map[target] = { results };
  }
  return map;
}

/** `properties=a,b&properties=c` (form style, explode either way) → `['a','b','c']`. */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const cleaned = parts.map((p) => p.trim()).filter((p) => p.length > 0);
  return cleaned.length > 0 ? cleaned : undefined;
}
