/**
 * Property definitions (reference §4) and the helpers the per-object default lists use.
 */

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  externalOptions: boolean;
  /** A value the API refuses to write (§2.1: "Read-only … properties will result in an error"). */
  readOnlyValue: boolean;
  readOnlyDefinition: boolean;
  archivable: boolean;
  referencedObjectType?: string;
  textDisplayHint?: string;
  numberDisplayHint?: string;
  createdAt?: number;
  updatedAt?: number;
  archived: boolean;
  archivedAt?: number;
}

export interface PropertyGroupDefinition {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

const DEFAULT_FIELD_TYPE: Record<PropertyType, string> = {
  string: 'text',
  number: 'number',
  date: 'date',
  datetime: 'date',
  enumeration: 'select',
  bool: 'booleancheckbox',
  phone_number: 'phonenumber',
};

export interface PropertyTraits {
  fieldType?: string;
  description?: string;
  options?: Array<string | [value: string, label: string]>;
  readOnly?: boolean;
  calculated?: boolean;
  unique?: boolean;
  hidden?: boolean;
  referencedObjectType?: string;
  externalOptions?: boolean;
  textDisplayHint?: string;
  numberDisplayHint?: string;
}

/** Builds a HubSpot-defined property. Options given as bare strings use the value as label. */
export function hubspotProperty(groupName: string, name: string, label: string, type: PropertyType, traits: PropertyTraits = {}): PropertyDefinition {
  const options = (traits.options ?? []).map((option, index) => {
    const [value, optionLabel] = typeof option === 'string' ? [option, titleCase(option)] : option;
    return { label: optionLabel, value, displayOrder: index, hidden: false };
  });
  const readOnly = traits.readOnly ?? false;
  return {
    name,
    label,
    type,
    fieldType:
      traits.fieldType ??
      (type === 'enumeration' && options.length === 2 && options.every((o) => o.value === 'true' || o.value === 'false')
        ? 'booleancheckbox'
        : DEFAULT_FIELD_TYPE[type]),
    groupName,
    description: traits.description ?? '',
    options,
    displayOrder: -1,
    hasUniqueValue: traits.unique ?? false,
    hidden: traits.hidden ?? false,
    formField: !readOnly,
    hubspotDefined: true,
    calculated: traits.calculated ?? false,
    externalOptions: traits.externalOptions ?? false,
    readOnlyValue: readOnly,
    readOnlyDefinition: true,
    archivable: false,
    referencedObjectType: traits.referencedObjectType,
    textDisplayHint: traits.textDisplayHint,
    numberDisplayHint: traits.numberDisplayHint,
    archived: false,
  };
}

function titleCase(value: string): string {
  const words = value.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every object shares these system properties (§2.4: `hs_object_id` is read-only). */
export function systemProperties(group: string, created: string, lastModified: string): PropertyDefinition[] {
  return [
    hubspotProperty(group, 'hs_object_id', 'Record ID', 'number', {
      readOnly: true,
      description: 'The unique ID for this record. This value is set automatically by HubSpot.',
    }),
    hubspotProperty(group, created, 'Create Date', 'datetime', { readOnly: true }),
    hubspotProperty(group, lastModified, 'Last Modified Date', 'datetime', { readOnly: true }),
    hubspotProperty(group, 'hubspot_owner_id', 'Owner', 'enumeration', {
      referencedObjectType: 'OWNER',
      externalOptions: true,
      description: 'The owner of the record.',
    }),
    hubspotProperty(group, 'hs_created_by_user_id', 'Created by user ID', 'number', { readOnly: true }),
    hubspotProperty(group, 'hs_updated_by_user_id', 'Updated by user ID', 'number', { readOnly: true }),
  ];
}

/** The calculated phone properties of §3.1 for one source property (`phone` or `mobilephone`). */
export function calculatedPhoneProperties(group: string, kind: 'phone' | 'mobile'): PropertyDefinition[] {
  const noun = kind === 'phone' ? 'phone number' : 'mobile number';
  const base = kind === 'phone' ? 'hs_calculated_phone_number' : 'hs_calculated_mobile_number';
  const searchable = kind === 'phone' ? 'hs_searchable_calculated_phone_number' : 'hs_searchable_calculated_mobile_number';
  const international = kind === 'phone' ? 'hs_searchable_calculated_international_phone_number' : 'hs_searchable_calculated_international_mobile_number';
  const traits: PropertyTraits = { readOnly: true, calculated: true, hidden: true };
  return [
    hubspotProperty(group, base, `Calculated ${noun} in international format`, 'string', { ...traits, textDisplayHint: 'phone_number' }),
    hubspotProperty(group, `${base}_country_code`, `Calculated ${noun} country code`, 'string', traits),
    hubspotProperty(group, `${base}_area_code`, `Calculated ${noun} area code`, 'string', traits),
    hubspotProperty(group, searchable, `Calculated ${noun} without country code`, 'string', traits),
    hubspotProperty(group, international, `Calculated ${noun} with country code`, 'string', traits),
  ];
}
