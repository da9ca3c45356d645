/**
 * Association writes (reference §6): both directions, derived properties
 * (`associatedcompanyid`) and `associationChange` events.
 */
import { PRIMARY_TYPE_IDS, type AssociationTypeDefinition } from '../model/association-types.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import type { CrmEvents, WriteSource } from './events.ts';
import type { ObjectService } from './object-service.ts';

export class AssociationService {
  private readonly objects: ObjectService;
  private readonly events: CrmEvents;
  private readonly now: () => number;

  constructor(objects: ObjectService, events: CrmEvents, now: () => number) {
    this.objects = objects;
    this.events = events;
    this.now = now;
  }

  add(
    portal: Portal,
    from: ObjectTypeName,
    fromId: number,
    to: ObjectTypeName,
    toId: number,
    definition: AssociationTypeDefinition,
    source: WriteSource,
  ): void {
    const before = new Set(
      portal.associations
        .list(from, fromId, to)
        .find((e) => e.toId === toId)
        ?.types.map((t) => t.typeId) ?? [],
    );
    portal.associations.add(from, fromId, to, toId, definition);
    this.refresh(portal, from, fromId, to, toId);
    if (!before.has(definition.typeId)) this.publish(portal, from, fromId, to, toId, definition, false, source);
  }

  removeAll(portal: Portal, from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number, source: WriteSource): void {
    const edge = portal.associations.list(from, fromId, to).find((e) => e.toId === toId);
    if (!edge) return;
    portal.associations.removeAll(from, fromId, to, toId);
    this.refresh(portal, from, fromId, to, toId);
    for (const definition of edge.types) this.publish(portal, from, fromId, to, toId, definition, true, source);
  }

  removeTypes(portal: Portal, from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number, typeIds: number[], source: WriteSource): void {
    const edge = portal.associations.list(from, fromId, to).find((e) => e.toId === toId);
    if (!edge) return;
    portal.associations.removeTypes(from, fromId, to, toId, typeIds);
    this.refresh(portal, from, fromId, to, toId);
    for (const definition of edge.types.filter((t) => typeIds.includes(t.typeId))) this.publish(portal, from, fromId, to, toId, definition, true, source);
  }

  private refresh(portal: Portal, from: ObjectTypeName, fromId: number, to: ObjectTypeName, toId: number): void {
    for (const [type, id, other] of [
      [from, fromId, to],
      [to, toId, from],
    ] as Array<[ObjectTypeName, number, ObjectTypeName]>) {
      const record = portal.store(type).get(id);
      if (record) this.objects.refreshAssociationDerived(portal, type, record, [other]);
    }
  }

  private publish(
    portal: Portal,
    from: ObjectTypeName,
    fromId: number,
    to: ObjectTypeName,
    toId: number,
    definition: AssociationTypeDefinition,
    removed: boolean,
    source: WriteSource,
  ): void {
    const associationType = `${OBJECT_TYPES[from].singular}_TO_${OBJECT_TYPES[to].singular}`.toUpperCase();
    this.events.emit({
      portalId: portal.portalId,
      objectType: from,
      objectId: fromId,
      kind: 'associationChange',
      occurredAt: this.now(),
      changeSource: source.changeSource,
      sourceAppId: source.appId,
      association: {
        associationType,
        fromObjectId: fromId,
        toObjectId: toId,
        associationRemoved: removed,
        isPrimaryAssociation: PRIMARY_TYPE_IDS.has(definition.typeId),
      },
    });
  }
}
