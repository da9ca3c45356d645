/**
 * HUBSPOT_DEFINED association types (reference §6.1, from `@hubspot/api-client`'s
 * `AssociationTypes` enum). Each entry knows its inverse so both directions are stored.
 * A labelled type (primary company) always comes with its unlabeled default.
 */
import type { ObjectTypeName } from './object-types.ts';

export type AssociationCategory = 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED' | 'WORK';

export interface AssociationTypeDefinition {
  from: ObjectTypeName;
  to: ObjectTypeName;
  typeId: number;
  category: AssociationCategory;
  inverseTypeId: number;
  label: string | null;
  /** The v3 `associations` map's `type` string (§2.2), e.g. `contact_to_company_unlabeled`. */
  v3Name: string;
  /** True for the pair's default (unlabeled) type. */
  isDefault: boolean;
}

type Row = [from: ObjectTypeName, to: ObjectTypeName, typeId: number, inverse: number, label?: string];

const ROWS: Row[] = [
  ['contacts', 'companies', 279, 280],
  ['contacts', 'companies', 1, 2, 'Primary'],
  ['deals', 'contacts', 3, 4],
  ['deals', 'companies', 341, 342],
  ['deals', 'companies', 5, 6, 'Primary'],
  ['calls', 'contacts', 194, 193],
  ['calls', 'companies', 182, 181],
  ['calls', 'deals', 206, 205],
  ['meetings', 'contacts', 200, 199],
  ['meetings', 'companies', 188, 187],
  ['meetings', 'deals', 212, 211],
  ['tasks', 'contacts', 204, 203],
  ['tasks', 'companies', 192, 191],
  ['tasks', 'deals', 216, 215],
  ['notes', 'contacts', 202, 201],
  ['notes', 'companies', 190, 189],
  ['notes', 'deals', 214, 213],
  ['calls', 'meetings', 399, 400],
  ['contacts', 'contacts', 449, 449],
  ['companies', 'companies', 450, 450],
  ['deals', 'deals', 451, 451],
];

const SINGULAR: Record<ObjectTypeName, string> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
  calls: 'call',
  meetings: 'meeting',
  tasks: 'task',
  notes: 'note',
};

/** Pairs that have a primary label: their unlabeled type gets the `_unlabeled` suffix in v3. */
const LABELLED_PAIRS = new Set(['contacts>companies', 'companies>contacts', 'deals>companies', 'companies>deals']);

const byKey = new Map<string, AssociationTypeDefinition>();
const defaults = new Map<string, AssociationTypeDefinition>();

function register(from: ObjectTypeName, to: ObjectTypeName, typeId: number, inverse: number, label: string | null): void {
  const pairLabelled = LABELLED_PAIRS.has(`${from}>${to}`);
  const base = `${SINGULAR[from]}_to_${SINGULAR[to]}`;
  const definition: AssociationTypeDefinition = {
    from,
    to,
    typeId,
    inverseTypeId: inverse,
    category: 'HUBSPOT_DEFINED',
    label,
    v3Name: label === null && pairLabelled ? `${base}_unlabeled` : base,
    isDefault: label === null,
  };
  byKey.set(`${from}>${to}>${typeId}`, definition);
  if (label === null) defaults.set(`${from}>${to}`, definition);
}

for (const [from, to, typeId, inverse, label] of ROWS) {
  register(from, to, typeId, inverse, label ?? null);
  if (from !== to) register(to, from, inverse, typeId, label ?? null);
}

export function hubspotDefinedType(from: ObjectTypeName, to: ObjectTypeName, typeId: number): AssociationTypeDefinition | undefined {
  return byKey.get(`${from}>${to}>${typeId}`);
}

export function defaultAssociationType(from: ObjectTypeName, to: ObjectTypeName): AssociationTypeDefinition | undefined {
  return defaults.get(`${from}>${to}`);
}

export function hubspotDefinedTypesBetween(from: ObjectTypeName, to: ObjectTypeName): AssociationTypeDefinition[] {
  return [...byKey.values()].filter((d) => d.from === from && d.to === to);
}

/** A record may have one primary company; these type ids are exclusive per source record. */
export const PRIMARY_TYPE_IDS = new Set([1, 5]);
