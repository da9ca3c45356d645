/**
 * Writes to CRM records (reference §2): validation, e-mail uniqueness (§2.5),
 * system and calculated properties (§2.4, §3.1), property history and change events.
 */
import { apiError, notFound, objectIdNotNumeric, validationError } from '../errors.ts';
import { applyCalculatedPhones } from '../model/phone-properties.ts';
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import { REQUIRED_ON_CREATE } from '../model/properties-engagements.ts';
import { normalisePropertyValues, propertyValuesError } from '../model/property-values.ts';
import { formatInstant } from '../time-format.ts';
import { resolveAssociationInputs, type AssociationInput, type ResolvedAssociation } from './association-inputs.ts';
import type { CrmEvents, WriteSource } from './events.ts';

export interface CreateInput {
  properties: Record<string, unknown>;
  associations?: AssociationInput[];
}

/** A create that passed validation, ready to be written. */
export interface PreparedCreate {
  values: Record<string, string>;
  associations: ResolvedAssociation[];
}

export class ObjectService {
  private readonly events: CrmEvents;
  private readonly now: () => number;

  constructor(events: CrmEvents, now: () => number) {
    this.events = events;
    this.now = now;
  }

  normalise(portal: Portal, type: ObjectTypeName, properties: Record<string, unknown>): Record<string, string> {
    return normalisePropertyValues(properties ?? {}, {
      portalId: portal.portalId,
      lookup: (name) => portal.properties.get(type, name),
      ownerExists: (id) => portal.activeOwnerExists(id),
    });
  }

  /** Validates a create without writing; `pendingEmails` catches duplicates inside one batch. */
  prepareCreate(portal: Portal, type: ObjectTypeName, input: CreateInput, pendingEmails?: Map<string, number>): PreparedCreate {
    const values = this.normalise(portal, type, input.properties);
    const missing = (REQUIRED_ON_CREATE[type] ?? []).filter((name) => !values[name]);
    if (missing.length > 0) {
      const problems = missing.map((name) => ({
        isValid: false as const,
        message: `${name} is required`,
        error: 'REQUIRED_PROPERTY',
        name,
        localizedErrorMessage: `${name} is required`,
        portalId: portal.portalId,
      }));
      throw propertyValuesError(problems);
    }
    if (type === 'contacts' && values.email) {
      this.assertEmailFree(portal, values.email, undefined);
      if (pendingEmails?.has(values.email)) throw conflict(pendingEmails.get(values.email)!);
    }
    return { values, associations: resolveAssociationInputs(portal, type, input.associations ?? []) };
  }

  /** Writes a validated create. Seeds pass `at` (a past time) and `silent` (no webhook events). */
  commitCreate(portal: Portal, type: ObjectTypeName, prepared: PreparedCreate, source: WriteSource, options: { at?: number; silent?: boolean } = {}): DbRecord {
    const store = portal.store(type);
    const info = OBJECT_TYPES[type];
    const now = options.at ?? this.now();
    const id = store.allocateId();
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(prepared.values)) if (value !== '') properties[name] = value;
    properties.hs_object_id = String(id);
    properties[info.createdProperty] = formatInstant(now);
    properties[info.lastModifiedProperty] = formatInstant(now);
    if (source.userId !== undefined) properties.hs_created_by_user_id = String(source.userId);
    this.deriveProperties(portal, type, properties, Object.keys(prepared.values));
    const record: DbRecord = { id, properties, createdAt: now, updatedAt: now, archived: false };
    store.insert(record);
    for (const association of prepared.associations) {
      portal.associations.add(type, id, association.toType, association.toId, association.definition);
    }
    this.refreshAssociationDerived(
      portal,
      type,
      record,
      prepared.associations.map((a) => a.toType),
    );
    if (!options.silent) this.publish(portal, type, id, 'creation', source, now);
    return record;
  }

  create(portal: Portal, type: ObjectTypeName, input: CreateInput, source: WriteSource): DbRecord {
    return this.commitCreate(portal, type, this.prepareCreate(portal, type, input), source);
  }

  /** Validates an update; returns normalised values. */
  prepareUpdate(portal: Portal, type: ObjectTypeName, record: DbRecord, properties: Record<string, unknown>): Record<string, string> {
    const values = this.normalise(portal, type, properties);
    if (type === 'contacts' && values.email) this.assertEmailFree(portal, values.email, record.id);
    return values;
  }

  commitUpdate(portal: Portal, type: ObjectTypeName, record: DbRecord, values: Record<string, string>, source: WriteSource): DbRecord {
    const patch: Record<string, string> = { ...values };
    const merged = { ...record.properties };
    for (const [name, value] of Object.entries(values)) {
      if (value === '') delete merged[name];
      else merged[name] = value;
    }
    this.deriveProperties(portal, type, merged, Object.keys(values));
    for (const name of new Set([...Object.keys(merged), ...Object.keys(record.properties)])) {
      if ((merged[name] ?? '') !== (record.properties[name] ?? '')) patch[name] = merged[name] ?? '';
    }
    const store = portal.store(type);
    const now = this.now();
    const changed = store.applyPatch(record, patch);
    if (changed.size === 0) return record;
    const info = OBJECT_TYPES[type];
    store.applyPatch(record, {
      [info.lastModifiedProperty]: formatInstant(now),
      ...(source.userId !== undefined ? { hs_updated_by_user_id: String(source.userId) } : {}),
    });
    record.updatedAt = now;
    for (const [name, before] of changed) {
      record.history ??= {};
      const entries = (record.history[name] ??= before !== undefined ? [{ value: before, timestamp: record.createdAt, sourceType: 'API' }] : []);
      entries.push({ value: record.properties[name] ?? '', timestamp: now, sourceType: source.changeSource === 'CRM_UI' ? 'CRM_UI' : 'API' });
    }
    for (const name of changed.keys()) {
      this.publish(portal, type, record.id, 'propertyChange', source, now, name, record.properties[name] ?? '');
    }
    return record;
  }

  update(portal: Portal, type: ObjectTypeName, record: DbRecord, properties: Record<string, unknown>, source: WriteSource): DbRecord {
    return this.commitUpdate(portal, type, record, this.prepareUpdate(portal, type, record, properties), source);
  }

  archive(portal: Portal, type: ObjectTypeName, record: DbRecord, source: WriteSource): void {
    if (record.archived) return;
    const now = this.now();
    portal.store(type).archive(record, now);
    this.publish(portal, type, record.id, 'deletion', source, now);
  }

  /**
   * Looks a record up by id or by a unique property (§2.1 `idProperty`, e.g. `email`).
   * Returns undefined when nothing matches; archived records only when asked.
   */
  find(portal: Portal, type: ObjectTypeName, value: string, idProperty?: string, archived = false): DbRecord | undefined {
    const store = portal.store(type);
    if (!idProperty || idProperty === 'hs_object_id') {
      if (!/^\d+$/.test(value)) return undefined;
      const record = store.get(Number(value));
      return record && record.archived === archived ? record : undefined;
    }
    const definition = portal.properties.get(type, idProperty);
    if (!definition || !definition.hasUniqueValue) {
      throw validationError(`Property "${idProperty}" is not a unique identifier property for ${OBJECT_TYPES[type].singular} objects.`);
    }
    if (archived) {
      for (const record of store.records.values()) if (record.archived && record.properties[idProperty]?.toLowerCase() === value.toLowerCase()) return record;
      return undefined;
    }
    const ids = store.exactMatches(idProperty, value.trim().toLowerCase());
    const first = ids?.values().next();
    return first && !first.done ? store.get(first.value) : undefined;
  }

  findOrThrow(portal: Portal, type: ObjectTypeName, value: string, idProperty?: string, archived = false): DbRecord {
    const record = this.find(portal, type, value, idProperty, archived);
    if (!record) throw (!idProperty || idProperty === 'hs_object_id') && !/^\d+$/.test(value) ? objectIdNotNumeric(value) : notFound();
    return record;
  }

  /** Recomputes association-derived properties (contacts' primary company id). */
  refreshAssociationDerived(portal: Portal, type: ObjectTypeName, record: DbRecord, touched: ObjectTypeName[]): void {
    if (type !== 'contacts' || !touched.includes('companies')) return;
    const primary = portal.associations.list('contacts', record.id, 'companies').find((edge) => edge.types.some((t) => t.typeId === 1));
    portal.store('contacts').applyPatch(record, { associatedcompanyid: primary ? String(primary.toId) : '' });
  }

  private deriveProperties(portal: Portal, type: ObjectTypeName, properties: Record<string, string>, changed: string[]): void {
    if (type === 'contacts' || type === 'companies') {
      applyCalculatedPhones(properties, changed, portal.settings.defaultRegion, type === 'contacts');
    }
    if (type === 'contacts' && changed.includes('email')) {
      const domain = properties.email?.split('@')[1];
      if (domain) properties.hs_email_domain = domain;
      else delete properties.hs_email_domain;
    }
  }

  private assertEmailFree(portal: Portal, email: string, selfId: number | undefined): void {
    const ids = portal.store('contacts').exactMatches('email', email.toLowerCase());
    for (const id of ids ?? []) if (id !== selfId) throw conflict(id);
  }

  private publish(
    portal: Portal,
    type: ObjectTypeName,
    objectId: number,
    kind: 'creation' | 'deletion' | 'propertyChange',
    source: WriteSource,
    occurredAt: number,
    propertyName?: string,
    propertyValue?: string,
  ): void {
    this.events.emit({
      portalId: portal.portalId,
      objectType: type,
      objectId,
      kind,
      propertyName,
      propertyValue,
      occurredAt,
      changeSource: source.changeSource,
      sourceAppId: source.appId,
    });
  }
}

/**
 * §2.5: the 409 body integrators parse with `/Existing ID:\s*(\d+)/`. Reported for one input of a
 * 207 batch create, HubSpot's error also carries `context.existingId` (a captured answer in
 * amp-labs/connectors, providers/hubspot/test/batch/create/contacts/err-partial-success.json).
 */
export function conflict(existingId: number) {
  const error = apiError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existingId}`);
  error.batchContext = { existingId: [String(existingId)] };
  return error;
}
