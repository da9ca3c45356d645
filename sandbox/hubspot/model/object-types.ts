/**
 * The CRM object types the emulator holds (reference §2): path names, type ids,
 * scopes and the quirks that differ per type (which property is "last modified").
 */

export type ObjectTypeName = 'contacts' | 'companies' | 'deals' | 'calls' | 'meetings' | 'tasks' | 'notes';

export interface ObjectTypeInfo {
  name: ObjectTypeName;
  /** §2: object type id, e.g. `0-1`. */
  typeId: string;
  singular: string;
  /** Scope family: engagements use the contacts scopes (§2.1, each spec's `security`). */
  scopeFamily: 'contacts' | 'companies' | 'deals';
  /** §2.4: contacts use `lastmodifieddate`, everything else `hs_lastmodifieddate`. */
  lastModifiedProperty: string;
  createdProperty: string;
  /** §3: properties returned when the request names none. */
  defaultProperties: string[];
  /**
   * Properties the free-text search `query` looks in: the search guide's "default searchable
   * properties" table, limited to properties the emulator defines (contacts also match the
   * calculated phone digits, our addition; docs/sandbox/hubspot.md).
   */
  queryProperties: string[];
  /** First id handed out; distinct ranges make a contact id used as a company id fail loudly. */
  firstId: number;
  isEngagement: boolean;
  /** Webhooks v3 `eventType` prefix; engagements only have the generic `object.*` (§10). */
  webhookPrefix?: 'contact' | 'company' | 'deal';
}

const ENGAGEMENT_DEFAULTS = ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'];

export const OBJECT_TYPES: Record<ObjectTypeName, ObjectTypeInfo> = {
  contacts: {
    name: 'contacts',
    typeId: '0-1',
    singular: 'contact',
    scopeFamily: 'contacts',
    lastModifiedProperty: 'lastmodifieddate',
    createdProperty: 'createdate',
    defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    queryProperties: [
      'firstname',
      'lastname',
      'email',
      'phone',
      'hs_additional_emails',
      'fax',
      'mobilephone',
      'company',
      'hs_searchable_calculated_phone_number',
      'hs_searchable_calculated_mobile_number',
    ],
    firstId: 1001,
    isEngagement: false,
    webhookPrefix: 'contact',
  },
  companies: {
    name: 'companies',
    typeId: '0-2',
    singular: 'company',
    scopeFamily: 'companies',
    lastModifiedProperty: 'hs_lastmodifieddate',
    createdProperty: 'createdate',
    defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    queryProperties: ['website', 'phone', 'name', 'domain', 'hs_searchable_calculated_phone_number'],
    firstId: 30_000_001,
    isEngagement: false,
    webhookPrefix: 'company',
  },
  deals: {
    name: 'deals',
    typeId: '0-3',
    singular: 'deal',
    scopeFamily: 'deals',
    lastModifiedProperty: 'hs_lastmodifieddate',
    createdProperty: 'createdate',
    defaultProperties: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
    queryProperties: ['dealname', 'pipeline', 'dealstage', 'description', 'dealtype'],
    firstId: 40_000_001,
    isEngagement: false,
    webhookPrefix: 'deal',
  },
  calls: {
    name: 'calls',
    typeId: '0-48',
    singular: 'call',
    scopeFamily: 'contacts',
    lastModifiedProperty: 'hs_lastmodifieddate',
    createdProperty: 'hs_createdate',
    // The guide lists hs_body_preview, a preview of the body the emulator does not compute.
    defaultProperties: ENGAGEMENT_DEFAULTS,
    queryProperties: ['hs_call_title', 'hs_call_body'],
    firstId: 50_000_001,
    isEngagement: true,
  },
  meetings: {
    name: 'meetings',
    typeId: '0-47',
    singular: 'meeting',
    scopeFamily: 'contacts',
    lastModifiedProperty: 'hs_lastmodifieddate',
    createdProperty: 'hs_createdate',
    defaultProperties: ENGAGEMENT_DEFAULTS,
    queryProperties: ['hs_meeting_title', 'hs_meeting_body'],
    firstId: 60_000_001,
    isEngagement: true,
  },
  tasks: {
    name: 'tasks',
    typeId: '0-27',
    singular: 'task',
    scopeFamily: 'contacts',
    lastModifiedProperty: 'hs_lastmodifieddate',
    createdProperty: 'hs_createdate',
    defaultProperties: ENGAGEMENT_DEFAULTS,
    queryProperties: ['hs_task_subject', 'hs_task_body'],
    firstId: 70_000_001,
    isEngagement: true,
  },
  notes: {
    name: 'notes',
    typeId: '0-46',
    singular: 'note',
    scopeFamily: 'contacts',
    lastModifiedProperty: 'hs_lastmodifieddate',
    createdProperty: 'hs_createdate',
    defaultProperties: ENGAGEMENT_DEFAULTS,
    queryProperties: ['hs_note_body'],
    firstId: 80_000_001,
    isEngagement: true,
  },
};

export const OBJECT_TYPE_NAMES = Object.keys(OBJECT_TYPES) as ObjectTypeName[];

const ALIASES = new Map<string, ObjectTypeName>();
for (const info of Object.values(OBJECT_TYPES)) {
  ALIASES.set(info.name, info.name);
  ALIASES.set(info.singular, info.name);
  ALIASES.set(info.typeId, info.name);
}

/** §6: path segments accept plural, singular and type ids (`contacts`, `contact`, `0-1`). */
export function resolveObjectType(segment: string): ObjectTypeName | undefined {
  return ALIASES.get(segment.toLowerCase());
}

export function objectTypeInfo(name: ObjectTypeName): ObjectTypeInfo {
  return OBJECT_TYPES[name];
}
