/**
 * Mappings at save time and at run time. At save time each mapping is checked
 * against HubSpot's property definitions (reference §B.4): the property must
 * exist on contacts, be writable when written, and have a type the coercion
 * can produce — a wrong type or a missing property is refused with the reason,
 * naming the mapping. At run time a record's values go through the coercions;
 * a value that cannot be coerced fails that record (never the run).
 */
import { ValidationError, type ErrorDetail } from '../../errors.ts';
import type { Coercion, Mapping } from './settings.ts';

/** The parts of a HubSpot property definition the checks need (GET /crm/v3/properties/contacts). */
export interface PropertyDefinition {
  name: string;
  label?: string;
  type: string;
  fieldType?: string;
  options?: { value: string; label?: string }[];
  modificationMetadata?: { readOnlyValue?: boolean };
  calculated?: boolean;
}

/** Which HubSpot property types each coercion may write (reference §B.4's compatible pairs). */
const COMPATIBLE: Record<Coercion, readonly string[]> = {
  text: ['string', 'phone_number'],
  number: ['number'],
  date: ['date', 'datetime'],
  datetime: ['datetime', 'date'],
  bool: ['bool', 'enumeration'],
  enumeration: ['enumeration'],
  any_to_text: ['string', 'phone_number'],
};

export function writesHubSpot(m: Mapping): boolean {
  return m.enabled && (m.direction === 'to_hubspot' || m.direction === 'both');
}
export function writesRemote(m: Mapping): boolean {
  return m.enabled && (m.direction === 'to_remote' || m.direction === 'both');
}

/**
 * Checks mappings against HubSpot's definitions and the remote's field list; throws a 400 naming
 * each bad mapping (`sync.mappings.3.hubspot`) and why.
 */
export function validateMappings(
  mappings: readonly Mapping[],
  properties: readonly PropertyDefinition[],
  remoteFields: readonly string[],
  prefix = 'sync.mappings',
): void {
  const byName = new Map(properties.map((p) => [p.name, p]));
  const details: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  mappings.forEach((m, i) => {
    const at = `${prefix}.${i}`;
    for (const f of m.remote) if (!remoteFields.includes(f)) details.push({ field: `${at}.remote`, message: `"${f}" is not a field of the app` });
    if (!m.enabled) return;
    const p = byName.get(m.hubspot);
    if (!p) {
      details.push({ field: `${at}.hubspot`, message: `HubSpot has no contact property "${m.hubspot}" (deleted, or never created)` });
      return;
    }
    if (writesHubSpot(m)) {
      const other = seen.get(m.hubspot);
      if (other !== undefined) details.push({ field: `${at}.hubspot`, message: `"${m.hubspot}" is already written by mapping ${other}` });
      seen.set(m.hubspot, i);
      if (p.modificationMetadata?.readOnlyValue || p.calculated) details.push({ field: `${at}.hubspot`, message: `"${m.hubspot}" is read-only in HubSpot` });
    }
    if (!COMPATIBLE[m.coercion].includes(p.type)) {
      details.push({
        field: `${at}.coercion`,
        message: `"${m.hubspot}" is a ${p.type} property; a ${m.coercion} mapping writes ${COMPATIBLE[m.coercion].join(' or ')}`,
      });
    }
    if (m.coercion === 'any_to_text' && m.direction !== 'to_hubspot') {
      details.push({ field: `${at}.direction`, message: '"anything → text" is one-way into HubSpot' });
    }
    if (m.remote.length > 1 && m.direction !== 'to_hubspot') {
      details.push({ field: `${at}.direction`, message: 'a mapping joining several fields is one-way into HubSpot' });
    }
    if (m.coercion === 'enumeration' || (m.coercion === 'bool' && p.type === 'enumeration')) {
      const options = new Set((p.options ?? []).map((o) => o.value));
      for (const [from, to] of Object.entries(m.valueMap ?? {})) {
        if (!options.has(to)) details.push({ field: `${at}.valueMap.${from}`, message: `"${to}" is not an option of "${m.hubspot}"` });
      }
    }
  });
  if (details.length) throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
}

export class CoercionError extends Error {}

const TRUE = new Set(['true', '1', 'yes', 'y', 'on', 'はい', '有']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off', 'いいえ', '無']);

/** A remote value → the string HubSpot takes for the property; null when there is no value. */
export function toHubSpotValue(m: Mapping, raw: string | null): string | null {
  const v = raw?.trim() ?? '';
  if (v === '') return null;
  switch (m.coercion) {
    case 'text':
    case 'any_to_text':
      return v;
    case 'number': {
      const n = Number(v.replace(/[,\s]/g, ''));
      if (!Number.isFinite(n)) throw new CoercionError(`${m.remote.join('+')}: "${v}" is not a number`);
      return String(n);
    }
    case 'date': {
      const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
      if (Number.isNaN(d.getTime())) throw new CoercionError(`${m.remote.join('+')}: "${v}" is not a date`);
      return d.toISOString().slice(0, 10);
    }
    case 'datetime': {
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new CoercionError(`${m.remote.join('+')}: "${v}" is not a date and time`);
      return d.toISOString();
    }
    case 'bool': {
      const mapped = m.valueMap?.[v];
      if (mapped !== undefined) return mapped;
      if (TRUE.has(v.toLowerCase())) return 'true';
      if (FALSE.has(v.toLowerCase())) return 'false';
      throw new CoercionError(`${m.remote.join('+')}: "${v}" is not yes or no`);
    }
    case 'enumeration': {
      const mapped = m.valueMap?.[v];
      if (mapped !== undefined) return mapped;
      throw new CoercionError(`${m.remote.join('+')}: "${v}" has no option in the value map of "${m.hubspot}"`);
    }
  }
}

/** A HubSpot value → the remote's (two-way and HubSpot → app mappings); enumerations through the reversed map. */
export function toRemoteValue(m: Mapping, raw: string | null | undefined): string | null {
  const v = raw?.trim() ?? '';
  if (v === '') return null;
  if (m.coercion === 'enumeration' || m.coercion === 'bool') {
    const back = Object.entries(m.valueMap ?? {}).find(([, to]) => to === v)?.[0];
    return back ?? v;
  }
  return v;
}

/** The HubSpot properties for a record's (merged) values: one per enabled mapping into HubSpot; empty values left out. */
export function hubspotProperties(mappings: readonly Mapping[], get: (field: string) => string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of mappings) {
    if (!writesHubSpot(m)) continue;
    const joined = m.remote
      .map((f) => get(f)?.trim() ?? '')
      .filter(Boolean)
      .join(' ');
    const value = toHubSpotValue(m, joined || null);
    if (value !== null) out[m.hubspot] = value;
  }
  return out;
}
