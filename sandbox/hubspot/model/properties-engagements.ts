/**
 * Call, meeting, task and note properties with their real types and enumeration
 * values (reference §7). `hs_timestamp` is required on create (§7.1–7.4 "Required").
 */
import { hubspotProperty as p, systemProperties, type PropertyDefinition, type PropertyGroupDefinition } from './property-definitions.ts';

/** §7.1: the default call outcomes; `hs_call_disposition` holds the GUID. */
export const CALL_DISPOSITIONS: Array<[string, string]> = [
  ['9d9162e7-6cf3-4944-bf63-4dff82258764', 'Busy'],
  ['f240bbac-87c9-4f6e-bf70-924b57d47db7', 'Connected'],
  ['a4c4c377-d246-4b32-a13b-75a56a4cd0ff', 'Left live message'],
  ['b2cf5968-551e-4856-9783-52b3da59a7d0', 'Left voicemail'],
  ['73a0d17f-1163-4015-bdd5-ec830791da20', 'No answer'],
  ['17b47fee-58de-441e-a44c-c6300d46f273', 'Wrong number'],
];

/** §7.1 + §11 `finalCallStatus`: the full set, including HOLD and UNKNOWN. */
export const CALL_STATUSES = [
  'BUSY',
  'CALLING_CRM_USER',
  'CANCELED',
  'COMPLETED',
  'CONNECTING',
  'FAILED',
  'HOLD',
  'IN_PROGRESS',
  'MISSED',
  'NO_ANSWER',
  'QUEUED',
  'RINGING',
  'UNKNOWN',
];

export const REQUIRED_ON_CREATE: Record<string, string[]> = {
  calls: ['hs_timestamp'],
  meetings: ['hs_timestamp'],
  tasks: ['hs_timestamp'],
  notes: ['hs_timestamp'],
};

function engagementBase(group: string): PropertyDefinition[] {
  return [
    ...systemProperties(group, 'hs_createdate', 'hs_lastmodifieddate'),
    p(group, 'hs_timestamp', 'Activity date', 'datetime', { description: 'The date that an engagement occurred.' }),
    p(group, 'hs_attachment_ids', 'Attached file IDs', 'enumeration', { fieldType: 'checkbox', externalOptions: true }),
    p(group, 'hs_activity_type', 'Activity type', 'string'),
  ];
}

export function callProperties(): PropertyDefinition[] {
  const g = 'callinformation';
  return [
    ...engagementBase(g),
    p(g, 'hs_call_title', 'Call Title', 'string'),
    p(g, 'hs_call_body', 'Call notes', 'string', { fieldType: 'html' }),
    p(g, 'hs_call_direction', 'Call direction', 'enumeration', {
      options: [
        ['INBOUND', 'Inbound'],
        ['OUTBOUND', 'Outbound'],
      ],
    }),
    p(g, 'hs_call_disposition', 'Call outcome', 'enumeration', { options: CALL_DISPOSITIONS }),
    p(g, 'hs_call_duration', 'Call duration', 'number', { numberDisplayHint: 'duration', description: 'The duration of the call in milliseconds.' }),
    p(g, 'hs_call_from_number', 'From number', 'string', { textDisplayHint: 'phone_number' }),
    p(g, 'hs_call_to_number', 'To number', 'string', { textDisplayHint: 'phone_number' }),
    p(g, 'hs_call_recording_url', 'Recording URL', 'string'),
    p(g, 'hs_call_status', 'Call status', 'enumeration', {
      options: CALL_STATUSES.map((s): [string, string] => [s, s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, ' ')]),
    }),
    p(g, 'hs_call_callee_object_id', 'Callee object id', 'number'),
    p(g, 'hs_call_callee_object_type', 'Callee object type', 'enumeration', {
      options: [
        ['CONTACT', 'Contact'],
        ['COMPANY', 'Company'],
      ],
    }),
    p(g, 'hs_call_source', 'Call source', 'enumeration', {
      options: [
        ['INTEGRATIONS_PLATFORM', 'Integrations platform'],
        ['CALLING_SDK', 'Calling SDK'],
        ['MANUAL', 'Manual'],
        ['BROWSER', 'Browser'],
      ],
    }),
    p(g, 'hs_call_external_id', 'External call ID', 'string'),
    p(g, 'hs_call_external_account_id', 'External account ID', 'string'),
    p(g, 'hs_call_app_id', 'Calling app ID', 'number'),
    p(g, 'hs_call_has_transcript', 'Has transcript', 'bool', {
      readOnly: true,
      options: [
        ['true', 'Yes'],
        ['false', 'No'],
      ],
    }),
  ];
}

export function meetingProperties(): PropertyDefinition[] {
  const g = 'meetinginformation';
  return [
    ...engagementBase(g),
    p(g, 'hs_meeting_title', 'Meeting name', 'string'),
    p(g, 'hs_meeting_body', 'Meeting description', 'string', { fieldType: 'html' }),
    p(g, 'hs_internal_meeting_notes', 'Internal meeting notes', 'string', { fieldType: 'html' }),
    p(g, 'hs_meeting_external_url', 'External URL', 'string'),
    p(g, 'hs_meeting_location', 'Location', 'string'),
    p(g, 'hs_meeting_start_time', 'Meeting start time', 'datetime'),
    p(g, 'hs_meeting_end_time', 'Meeting end time', 'datetime'),
    p(g, 'hs_meeting_outcome', 'Meeting outcome', 'enumeration', {
      options: [
        ['SCHEDULED', 'Scheduled'],
        ['COMPLETED', 'Completed'],
        ['RESCHEDULED', 'Rescheduled'],
        ['NO_SHOW', 'No Show'],
        ['CANCELED', 'Canceled'],
      ],
    }),
    p(g, 'hs_meeting_source', 'Meeting source', 'enumeration', {
      options: [
        ['CRM_UI', 'CRM UI'],
        ['MEETINGS_PUBLIC', 'Meetings public'],
        ['INTEGRATION', 'Integration'],
      ],
    }),
  ];
}

export function taskProperties(): PropertyDefinition[] {
  const g = 'taskinformation';
  return [
    ...engagementBase(g),
    p(g, 'hs_task_subject', 'Task Title', 'string'),
    p(g, 'hs_task_body', 'Notes', 'string', { fieldType: 'html' }),
    p(g, 'hs_task_status', 'Task Status', 'enumeration', {
      options: [
        ['NOT_STARTED', 'Not started'],
        ['IN_PROGRESS', 'In progress'],
        ['WAITING', 'Waiting'],
        ['COMPLETED', 'Completed'],
        ['DEFERRED', 'Deferred'],
      ],
    }),
    p(g, 'hs_task_priority', 'Priority', 'enumeration', {
      options: [
        ['NONE', 'None'],
        ['LOW', 'Low'],
        ['MEDIUM', 'Medium'],
        ['HIGH', 'High'],
      ],
    }),
    p(g, 'hs_task_type', 'Task Type', 'enumeration', {
      options: [
        ['EMAIL', 'Email'],
        ['CALL', 'Call'],
        ['TODO', 'To-do'],
        ['LINKED_IN_CONNECT', 'LinkedIn connect'],
        ['LINKED_IN_MESSAGE', 'LinkedIn message'],
      ],
    }),
    p(g, 'hs_task_reminders', 'Reminder', 'enumeration', { fieldType: 'checkbox', externalOptions: true }),
    p(g, 'hs_task_completion_date', 'Completed at', 'datetime', { readOnly: true }),
  ];
}

export function noteProperties(): PropertyDefinition[] {
  const g = 'noteinformation';
  return [...engagementBase(g), p(g, 'hs_note_body', 'Note body', 'string', { fieldType: 'html' })];
}

export const ENGAGEMENT_GROUPS: Record<'calls' | 'meetings' | 'tasks' | 'notes', PropertyGroupDefinition[]> = {
  calls: [{ name: 'callinformation', label: 'Call information', displayOrder: -1, archived: false }],
  meetings: [{ name: 'meetinginformation', label: 'Meeting information', displayOrder: -1, archived: false }],
  tasks: [{ name: 'taskinformation', label: 'Task information', displayOrder: -1, archived: false }],
  notes: [{ name: 'noteinformation', label: 'Note information', displayOrder: -1, archived: false }],
};
