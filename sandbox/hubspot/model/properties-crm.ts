/**
 * Default properties of contacts, companies and deals: the subset of HubSpot's
 * built-in definitions an integration touches, with HubSpot's internal values for
 * enumerations (reference §2.4, §4; option lists per HubSpot's default portal).
 */
import {
  calculatedPhoneProperties,
  hubspotProperty as p,
  systemProperties,
  type PropertyDefinition,
  type PropertyGroupDefinition,
} from './property-definitions.ts';

const LIFECYCLE_STAGES: Array<[string, string]> = [
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
];

const LEAD_STATUSES: Array<[string, string]> = [
  ['NEW', 'New'],
  ['OPEN', 'Open'],
  ['IN_PROGRESS', 'In Progress'],
  ['OPEN_DEAL', 'Open Deal'],
  ['UNQUALIFIED', 'Unqualified'],
  ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
  ['CONNECTED', 'Connected'],
  ['BAD_TIMING', 'Bad Timing'],
];

export function contactProperties(): PropertyDefinition[] {
  const info = 'contactinformation';
  return [
    ...systemProperties(info, 'createdate', 'lastmodifieddate'),
    p(info, 'email', 'Email', 'string', { unique: true, textDisplayHint: 'email', description: "A contact's email address" }),
    p(info, 'firstname', 'First Name', 'string'),
    p(info, 'lastname', 'Last Name', 'string'),
    p(info, 'salutation', 'Salutation', 'string'),
    p(info, 'phone', 'Phone Number', 'string', { fieldType: 'phonenumber', textDisplayHint: 'phone_number' }),
    p(info, 'mobilephone', 'Mobile Phone Number', 'string', { fieldType: 'phonenumber', textDisplayHint: 'phone_number' }),
    p(info, 'fax', 'Fax Number', 'string', { fieldType: 'phonenumber' }),
    p(info, 'company', 'Company Name', 'string'),
    p(info, 'jobtitle', 'Job Title', 'string'),
    p(info, 'website', 'Website URL', 'string', { textDisplayHint: 'domain_name' }),
    p(info, 'address', 'Street Address', 'string'),
    p(info, 'city', 'City', 'string'),
    p(info, 'state', 'State/Region', 'string'),
    p(info, 'zip', 'Postal Code', 'string'),
    p(info, 'country', 'Country/Region', 'string'),
    p(info, 'industry', 'Industry', 'string'),
    p(info, 'date_of_birth', 'Date of birth', 'date'),
    p(info, 'hs_language', 'Preferred language', 'string'),
    p(info, 'hs_timezone', 'Time Zone', 'string'),
    p(info, 'lifecyclestage', 'Lifecycle Stage', 'enumeration', { fieldType: 'radio', options: LIFECYCLE_STAGES }),
    p(info, 'hs_lead_status', 'Lead Status', 'enumeration', { fieldType: 'radio', options: LEAD_STATUSES }),
    p(info, 'associatedcompanyid', 'Primary Associated Company ID', 'number', { readOnly: true }),
    // Defined on contacts but not kept up to date: searching contacts by it "silently fails";
    // contacts use `lastmodifieddate` (§2.4; amp-labs/connectors#45, docs/sandbox/hubspot.md).
    p(info, 'hs_lastmodifieddate', 'Object last modified date/time', 'datetime', { readOnly: true, hidden: true }),
    p(info, 'hs_email_domain', 'Email Domain', 'string', { readOnly: true, calculated: true }),
    p(info, 'notes_last_updated', 'Last Activity Date', 'datetime', { readOnly: true }),
    p(info, 'num_associated_deals', 'Number of Associated Deals', 'number', { readOnly: true, calculated: true }),
    p(info, 'hs_is_unworked', 'Contact unworked', 'bool', {
      readOnly: true,
      calculated: true,
      options: [
        ['true', 'True'],
        ['false', 'False'],
      ],
    }),
    p(info, 'hs_persona', 'Persona', 'enumeration', {
      options: [
        ['persona_1', 'Persona 1'],
        ['persona_2', 'Persona 2'],
        ['persona_3', 'Persona 3'],
      ],
    }),
    ...calculatedPhoneProperties(info, 'phone'),
    ...calculatedPhoneProperties(info, 'mobile'),
  ];
}

export function companyProperties(): PropertyDefinition[] {
  const info = 'companyinformation';
  return [
    ...systemProperties(info, 'createdate', 'hs_lastmodifieddate'),
    p(info, 'name', 'Company name', 'string'),
    p(info, 'domain', 'Company Domain Name', 'string', { textDisplayHint: 'domain_name' }),
    p(info, 'website', 'Website URL', 'string', { textDisplayHint: 'domain_name' }),
    p(info, 'phone', 'Phone Number', 'string', { fieldType: 'phonenumber', textDisplayHint: 'phone_number' }),
    p(info, 'address', 'Street Address', 'string'),
    p(info, 'address2', 'Street Address 2', 'string'),
    p(info, 'city', 'City', 'string'),
    p(info, 'state', 'State/Region', 'string'),
    p(info, 'zip', 'Postal Code', 'string'),
    p(info, 'country', 'Country/Region', 'string'),
    p(info, 'industry', 'Industry', 'string'),
    p(info, 'description', 'Description', 'string', { fieldType: 'textarea' }),
    p(info, 'numberofemployees', 'Number of Employees', 'number'),
    p(info, 'annualrevenue', 'Annual Revenue', 'number', { numberDisplayHint: 'currency' }),
    p(info, 'lifecyclestage', 'Lifecycle Stage', 'enumeration', { fieldType: 'radio', options: LIFECYCLE_STAGES }),
    p(info, 'type', 'Type', 'enumeration', {
      options: [
        ['PROSPECT', 'Prospect'],
        ['PARTNER', 'Partner'],
        ['RESELLER', 'Reseller'],
        ['VENDOR', 'Vendor'],
        ['OTHER', 'Other'],
      ],
    }),
    p(info, 'num_associated_contacts', 'Number of Associated Contacts', 'number', { readOnly: true, calculated: true }),
    p(info, 'num_associated_deals', 'Number of Associated Deals', 'number', { readOnly: true, calculated: true }),
    p(info, 'notes_last_updated', 'Last Activity Date', 'datetime', { readOnly: true }),
    ...calculatedPhoneProperties(info, 'phone'),
  ];
}

export function dealProperties(): PropertyDefinition[] {
  const info = 'dealinformation';
  return [
    ...systemProperties(info, 'createdate', 'hs_lastmodifieddate'),
    p(info, 'dealname', 'Deal Name', 'string'),
    p(info, 'amount', 'Amount', 'number', { numberDisplayHint: 'currency' }),
    p(info, 'closedate', 'Close Date', 'datetime'),
    p(info, 'pipeline', 'Pipeline', 'enumeration', { options: [['default', 'Sales Pipeline']] }),
    p(info, 'dealstage', 'Deal Stage', 'enumeration', {
      fieldType: 'radio',
      options: [
        ['appointmentscheduled', 'Appointment Scheduled'],
        ['qualifiedtobuy', 'Qualified To Buy'],
        ['presentationscheduled', 'Presentation Scheduled'],
        ['decisionmakerboughtin', 'Decision Maker Bought-In'],
        ['contractsent', 'Contract Sent'],
        ['closedwon', 'Closed Won'],
        ['closedlost', 'Closed Lost'],
      ],
    }),
    p(info, 'dealtype', 'Deal Type', 'enumeration', {
      fieldType: 'radio',
      options: [
        ['newbusiness', 'New Business'],
        ['existingbusiness', 'Existing Business'],
      ],
    }),
    p(info, 'description', 'Deal Description', 'string', { fieldType: 'textarea' }),
    p(info, 'hs_priority', 'Priority', 'enumeration', {
      options: [
        ['low', 'Low'],
        ['medium', 'Medium'],
        ['high', 'High'],
      ],
    }),
    p(info, 'num_associated_contacts', 'Number of Associated Contacts', 'number', { readOnly: true, calculated: true }),
    p(info, 'notes_last_updated', 'Last Activity Date', 'datetime', { readOnly: true }),
  ];
}

export const CRM_GROUPS: Record<'contacts' | 'companies' | 'deals', PropertyGroupDefinition[]> = {
  contacts: [
    { name: 'contactinformation', label: 'Contact information', displayOrder: -1, archived: false },
    { name: 'contact_activity', label: 'Contact activity', displayOrder: -1, archived: false },
    { name: 'conversioninformation', label: 'Conversion information', displayOrder: -1, archived: false },
  ],
  companies: [
    { name: 'companyinformation', label: 'Company information', displayOrder: -1, archived: false },
    { name: 'company_activity', label: 'Company activity', displayOrder: -1, archived: false },
  ],
  deals: [
    { name: 'dealinformation', label: 'Deal information', displayOrder: -1, archived: false },
    { name: 'deal_activity', label: 'Deal activity', displayOrder: -1, archived: false },
  ],
};
