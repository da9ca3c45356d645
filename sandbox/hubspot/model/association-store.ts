/**
 * A portal's associations (reference §6). Every edge is stored in both directions
 * with its inverse type id, so reading from either side agrees.
 */
import {
  defaultAssociationType,
  hubspotDefinedType,
  hubspotDefinedTypesBetween,
  PRIMARY_TYPE_IDS,
  type AssociationCategory,
  type AssociationTypeDefinition,
} from './association-types.ts';
import type { ObjectTypeName } from './object-types.ts';

export interface AssociationEdge {
  toId: number;
  types: AssociationTypeDefinition[];
}

type Edges = Map<number, Map<number, AssociationTypeDefinition>>;

export interface StoredAssociations {
  edges: Array<[from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number, category: AssociationCategory, typeId: number]>;
  labels: AssociationTypeDefinition[];
  nextLabelId: number;
}

export class AssociationStore {
  private readonly edges = new Map<string, Map<ObjectTypeName, Edges>>();
  private readonly userLabels = new Map<string, AssociationTypeDefinition>();
  private nextLabelId = 1000;

  /** Resolves a type id for a pair: HubSpot-defined first, then the portal's own labels. */
  definition(from: ObjectTypeName, to: ObjectTypeName, category: AssociationCategory, typeId: number): AssociationTypeDefinition | undefined {
    if (category === 'HUBSPOT_DEFINED') return hubspotDefinedType(from, to, typeId);
    const label = this.userLabels.get(`${from}>${to}>${typeId}`);
    return label && label.category === category ? label : undefined;
  }

  labelsBetween(from: ObjectTypeName, to: ObjectTypeName): AssociationTypeDefinition[] {
    return [...hubspotDefinedTypesBetween(from, to), ...[...this.userLabels.values()].filter((l) => l.from === from && l.to === to)];
  }

  createLabel(from: ObjectTypeName, to: ObjectTypeName, label: string, inverseLabel: string | undefined): AssociationTypeDefinition[] {
    const typeId = this.nextLabelId++;
    const inverseTypeId = from === to && !inverseLabel ? typeId : this.nextLabelId++;
    const make = (f: ObjectTypeName, t: ObjectTypeName, id: number, inv: number, text: string): AssociationTypeDefinition => ({
      from: f,
      to: t,
      typeId: id,
      inverseTypeId: inv,
      category: 'USER_DEFINED',
      label: text,
      v3Name: text,
      isDefault: false,
    });
    const forward = make(from, to, typeId, inverseTypeId, label);
    this.userLabels.set(`${from}>${to}>${typeId}`, forward);
    if (inverseTypeId !== typeId) this.userLabels.set(`${to}>${from}>${inverseTypeId}`, make(to, from, inverseTypeId, typeId, inverseLabel ?? label));
    return [forward];
  }

  /** Adds one typed edge (and its inverse; a labelled type brings the default type along). */
  add(from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number, definition: AssociationTypeDefinition): void {
    if (PRIMARY_TYPE_IDS.has(definition.typeId)) {
      for (const [otherId, types] of this.edgesOf(from, fromId, to)) {
        if (otherId !== toId && types.has(definition.typeId)) this.removeTypes(from, fromId, to, otherId, [definition.typeId]);
      }
    }
    this.link(from, fromId, to, toId, definition);
    const inverse = this.inverseOf(definition);
    if (inverse) this.link(to, toId, from, fromId, inverse);
    if (!definition.isDefault) {
      const fallback = defaultAssociationType(from, to);
      if (fallback) this.add(from, fromId, to, toId, fallback);
    }
  }

  /** Removes every type between the pair, both directions (§6: DELETE removes all labels). */
  removeAll(from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number): boolean {
    const existed = this.edgesOf(from, fromId, to).delete(toId);
    this.edgesOf(to, toId, from).delete(fromId);
    return existed;
  }

  removeTypes(from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number, typeIds: number[]): void {
    const forward = this.edgesOf(from, fromId, to).get(toId);
    for (const typeId of typeIds) {
      const definition = forward?.get(typeId);
      if (!definition) continue;
      forward!.delete(typeId);
      const inverse = this.inverseOf(definition);
      const back = this.edgesOf(to, toId, from).get(fromId);
      if (inverse && back) {
        back.delete(inverse.typeId);
        if (back.size === 0) this.edgesOf(to, toId, from).delete(fromId);
      }
    }
    if (forward && forward.size === 0) this.edgesOf(from, fromId, to).delete(toId);
  }

  list(from: ObjectTypeName, fromId: number, to: ObjectTypeName): AssociationEdge[] {
    const targets = this.edges.get(`${from}:${fromId}`)?.get(to);
    if (!targets) return [];
    return [...targets].sort((a, b) => a[0] - b[0]).map(([toId, types]) => ({ toId, types: [...types.values()] }));
  }

  /** Every type a record is associated with (record pages, purge). */
  targetTypes(from: ObjectTypeName, fromId: number): ObjectTypeName[] {
    return [...(this.edges.get(`${from}:${fromId}`)?.keys() ?? [])];
  }

  removeRecord(type: ObjectTypeName, id: number): void {
    for (const to of this.targetTypes(type, id)) {
      for (const [toId] of this.edgesOf(type, id, to)) this.edgesOf(to, toId, type).delete(id);
    }
    this.edges.delete(`${type}:${id}`);
  }

  toJSON(): StoredAssociations {
    const edges: StoredAssociations['edges'] = [];
    for (const [key, byType] of this.edges) {
      const [from, fromId] = key.split(':') as [ObjectTypeName, string];
      for (const [to, targets] of byType) {
        for (const [toId, types] of targets) for (const d of types.values()) edges.push([from, Number(fromId), to, toId, d.category, d.typeId]);
      }
    }
    return { edges, labels: [...this.userLabels.values()], nextLabelId: this.nextLabelId };
  }

  restore(stored: StoredAssociations): void {
    for (const label of stored.labels) this.userLabels.set(`${label.from}>${label.to}>${label.typeId}`, label);
    this.nextLabelId = stored.nextLabelId;
    for (const [from, fromId, to, toId, category, typeId] of stored.edges) {
      const definition = this.definition(from, to, category, typeId);
      if (definition) this.link(from, fromId, to, toId, definition);
    }
  }

  private inverseOf(definition: AssociationTypeDefinition): AssociationTypeDefinition | undefined {
    return this.definition(definition.to, definition.from, definition.category, definition.inverseTypeId);
  }

  private link(from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number, definition: AssociationTypeDefinition): void {
    const targets = this.edgesOf(from, fromId, to);
    let types = targets.get(toId);
    if (!types) targets.set(toId, (types = new Map()));
    types.set(definition.typeId, definition);
  }

  private edgesOf(from: ObjectTypeName, fromId: number, to: ObjectTypeName): Edges {
    const key = `${from}:${fromId}`;
    let byType = this.edges.get(key);
    if (!byType) this.edges.set(key, (byType = new Map()));
    let targets = byType.get(to);
    if (!targets) byType.set(to, (targets = new Map()));
    return targets;
  }
}
