/**
 * One portal's property definitions and groups per object type (reference §4):
 * HubSpot's defaults plus whatever the API created.
 */
import type { ObjectTypeName } from './object-types.ts';
import { CRM_GROUPS, companyProperties, contactProperties, dealProperties } from './properties-crm.ts';
import { ENGAGEMENT_GROUPS, callProperties, meetingProperties, noteProperties, taskProperties } from './properties-engagements.ts';
import type { PropertyDefinition, PropertyGroupDefinition } from './property-definitions.ts';

const DEFAULTS: Record<ObjectTypeName, () => PropertyDefinition[]> = {
  contacts: contactProperties,
  companies: companyProperties,
  deals: dealProperties,
  calls: callProperties,
  meetings: meetingProperties,
  tasks: taskProperties,
  notes: noteProperties,
};

const DEFAULT_GROUPS: Record<ObjectTypeName, PropertyGroupDefinition[]> = { ...CRM_GROUPS, ...ENGAGEMENT_GROUPS };

export interface StoredProperties {
  custom: Record<string, PropertyDefinition[]>;
  groups: Record<string, PropertyGroupDefinition[]>;
  archivedDefaults?: Record<string, string[]>;
}

export class PropertyRegistry {
  private readonly properties = new Map<ObjectTypeName, Map<string, PropertyDefinition>>();
  private readonly groups = new Map<ObjectTypeName, Map<string, PropertyGroupDefinition>>();
  private readonly custom = new Map<ObjectTypeName, Set<string>>();

  constructor(createdAt: number) {
    for (const [type, factory] of Object.entries(DEFAULTS) as Array<[ObjectTypeName, () => PropertyDefinition[]]>) {
      const map = new Map<string, PropertyDefinition>();
      factory().forEach((definition, index) => map.set(definition.name, { ...definition, displayOrder: index, createdAt, updatedAt: createdAt }));
      this.properties.set(type, map);
      this.groups.set(type, new Map(DEFAULT_GROUPS[type].map((g, i) => [g.name, { ...g, displayOrder: i }])));
      this.custom.set(type, new Set());
    }
  }

  get(type: ObjectTypeName, name: string): PropertyDefinition | undefined {
    return this.properties.get(type)!.get(name);
  }

  list(type: ObjectTypeName, archived = false): PropertyDefinition[] {
    return [...this.properties.get(type)!.values()].filter((p) => p.archived === archived);
  }

  isCustom(type: ObjectTypeName, name: string): boolean {
    return this.custom.get(type)!.has(name);
  }

  add(type: ObjectTypeName, definition: PropertyDefinition): void {
    this.properties.get(type)!.set(definition.name, definition);
    if (!definition.hubspotDefined) this.custom.get(type)!.add(definition.name);
  }

  group(type: ObjectTypeName, name: string): PropertyGroupDefinition | undefined {
    return this.groups.get(type)!.get(name);
  }

  listGroups(type: ObjectTypeName): PropertyGroupDefinition[] {
    return [...this.groups.get(type)!.values()].filter((g) => !g.archived);
  }

  putGroup(type: ObjectTypeName, group: PropertyGroupDefinition): void {
    this.groups.get(type)!.set(group.name, group);
  }

  /** Only what differs from the defaults goes into a snapshot. */
  toJSON(): StoredProperties {
    const custom: Record<string, PropertyDefinition[]> = {};
    const groups: Record<string, PropertyGroupDefinition[]> = {};
    for (const [type, names] of this.custom) {
      custom[type] = [...names].map((n) => this.properties.get(type)!.get(n)!);
      groups[type] = [...this.groups.get(type)!.values()];
    }
    return { custom, groups };
  }

  restore(stored: StoredProperties): void {
    for (const [type, definitions] of Object.entries(stored.custom) as Array<[ObjectTypeName, PropertyDefinition[]]>) {
      for (const definition of definitions) this.add(type, definition);
    }
    for (const [type, groups] of Object.entries(stored.groups) as Array<[ObjectTypeName, PropertyGroupDefinition[]]>) {
      for (const group of groups) this.putGroup(type, group);
    }
  }
}
