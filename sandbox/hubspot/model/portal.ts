/**
 * One HubSpot account ("portal"): its CRM records, properties, associations and owners.
 */
import type { CountryCode } from 'libphonenumber-js';
import { AssociationStore } from './association-store.ts';
import { OBJECT_TYPES, OBJECT_TYPE_NAMES, type ObjectTypeName } from './object-types.ts';
import { ObjectStore, type KeyKind } from './object-store.ts';
import { PropertyRegistry } from './property-registry.ts';

export type PortalType = 'STANDARD' | 'DEVELOPER_TEST';

export interface Owner {
  id: number;
  userId: number | null;
  email: string;
  firstName: string;
  lastName: string;
  type: 'PERSON' | 'QUEUE';
  teams: Array<{ id: string; name: string; primary: boolean }>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}

export interface PortalSettings {
  portalId: number;
  name: string;
  type: PortalType;
  privateAppToken: string;
  /** The account's website domain (`hub_domain` in token metadata, §1.3). */
  domain: string;
  timeZone: string;
  /** Region for phone numbers written without a country code (§3.1). */
  defaultRegion: CountryCode;
}

export class Portal {
  readonly settings: PortalSettings;
  readonly properties: PropertyRegistry;
  readonly associations = new AssociationStore();
  readonly owners = new Map<number, Owner>();
  readonly stores: Record<ObjectTypeName, ObjectStore>;
  nextOwnerId = 70_000_001;

  constructor(settings: PortalSettings, createdAt: number) {
    this.settings = settings;
    this.properties = new PropertyRegistry(createdAt);
    const stores = {} as Record<ObjectTypeName, ObjectStore>;
    for (const name of OBJECT_TYPE_NAMES) {
      stores[name] = new ObjectStore(OBJECT_TYPES[name].firstId, (property) => this.keyKind(name, property));
    }
    this.stores = stores;
  }

  get portalId(): number {
    return this.settings.portalId;
  }

  store(type: ObjectTypeName): ObjectStore {
    return this.stores[type];
  }

  keyKind(type: ObjectTypeName, property: string): KeyKind {
    if (property === 'hs_object_id') return 'number';
    const definition = this.properties.get(type, property);
    if (!definition) return 'string';
    if (definition.type === 'number' || definition.type === 'datetime' || definition.type === 'date') return 'number';
    return definition.type === 'enumeration' ? 'exact' : 'string';
  }

  addOwner(owner: Omit<Owner, 'id'> & { id?: number }): Owner {
    const id = owner.id ?? this.nextOwnerId++;
    if (id >= this.nextOwnerId) this.nextOwnerId = id + 1;
    const stored: Owner = { ...owner, id };
    this.owners.set(id, stored);
    return stored;
  }

  ownerByUserId(userId: number): Owner | undefined {
    for (const owner of this.owners.values()) if (owner.userId === userId) return owner;
    return undefined;
  }

  activeOwnerExists(ownerId: string): boolean {
    const owner = this.owners.get(Number(ownerId));
    return owner !== undefined && !owner.archived;
  }
}
