/**
 * zod schemas of what the Yeastar PBX sends (wire types, `Api…`): REST bodies
 * and event `msg` payloads. Field lists follow help.yeastar.com's developer
 * guide (pbx-apis.md §1.5–§1.7). Schemas are lenient where firmware differs
 * (numbers sent as strings, fields missing) and strict where we depend on a value.
 */
import { z } from 'zod';
import { MAX_CALL_SECONDS } from '../pbx.ts';

/** A value the PBX may send as a string or a number (extension numbers, ids in some firmware). */
export const text = z.union([z.string(), z.number()]).transform((v) => String(v));
const optionalText = text.optional().transform((v) => v ?? '');
const count = z.coerce.number().int().nonnegative();
/** A call's length in seconds, bounded (pbx.ts: MAX_CALL_SECONDS). */
const callSeconds = count.max(MAX_CALL_SECONDS, `must be at most ${MAX_CALL_SECONDS} seconds (a week)`);
/** Unix seconds between 2000 and 2100: a PBX clock outside that is wrong, and a Date past it breaks every conversion. */
const unixSeconds = z.coerce.number().int().min(946_684_800, 'must be a Unix time after 2000').max(4_102_444_800, 'must be a Unix time before 2100');
/** A token lifetime in seconds: positive, at most a year (the PBX grants 1,800 s and 86,400 s). */
const lifetimeSeconds = z.coerce
  .number()
  .positive()
  .max(365 * 86_400, 'must be at most a year');

export const envelopeSchema = z.object({ errcode: z.number(), errmsg: z.string().optional() });

export function listSchema<S extends z.ZodType>(row: S) {
  return z.object({ total_number: count.default(0), data: z.array(row).default([]) });
}

export const apiTokenSchema = z.object({
  access_token: z.string().min(1),
  access_token_expire_time: lifetimeSeconds,
  refresh_token: z.string().min(1),
  refresh_token_expire_time: lifetimeSeconds,
});
export type ApiToken = z.output<typeof apiTokenSchema>;

export const apiSystemInfoSchema = z.object({
  data: z.object({
    model_name: optionalText,
    firmware_version: optionalText,
    sn: optionalText,
    system_time: z.string().min(1),
    system_date_format: z.string().optional(),
    system_time_format: z.string().optional(),
    timestamp: unixSeconds,
  }),
});
export type ApiSystemInfo = z.output<typeof apiSystemInfoSchema>['data'];

// "Query Extension List": an endpoint's registration is in `status_list[].status` (1 = registered) for
// SIP phones; `status` alone on the others (Linkus clients). Both are read.
const endpointStatus = z.object({ status: z.coerce.number(), status_list: z.array(z.object({ status: z.coerce.number() }).partial()) }).partial();

export const apiExtensionSchema = z.object({
  id: z.coerce.number(),
  number: text,
  caller_id_name: optionalText,
  email_addr: optionalText,
  online_status: z.record(z.string(), endpointStatus).optional(),
});
export type ApiExtension = z.output<typeof apiExtensionSchema>;

// ---- live calls (30011, 30015, call/query) ----

const extensionMember = z.object({ number: text, channel_id: optionalText, member_status: z.string() });
const trunkMember = z.object({
  from: optionalText,
  to: optionalText,
  trunk_name: optionalText,
  channel_id: optionalText,
  member_status: z.string(),
});
/** One entry of `members`: exactly one of extension / inbound / outbound. */
export const apiMemberSchema = z.object({
  extension: extensionMember.optional(),
  inbound: trunkMember.optional(),
  outbound: trunkMember.optional(),
});
export type ApiMember = z.output<typeof apiMemberSchema>;

export const apiCallStatusSchema = z.object({ call_id: text, members: z.array(apiMemberSchema).default([]) });
export const apiCallFailedSchema = z.object({ call_id: text, reason: optionalText, members: z.array(apiMemberSchema).default([]) });
export const apiExtensionCallStatusSchema = z.object({ extension: text, status: z.string() });

export const apiDialSchema = z.object({ call_id: text });
export const apiCallQuerySchema = z.object({ data: z.array(apiCallStatusSchema).default([]) });

// ---- CDR ----

/** 30012 New CDR `msg` (§1.6). Empty values may be " ". */
export const apiCdrEventSchema = z.object({
  call_id: text,
  time_start: z.string().min(1),
  call_from: optionalText,
  call_to: optionalText,
  call_duration: callSeconds.default(0),
  talk_duration: callSeconds.default(0),
  src_trunk_name: optionalText,
  dst_trunk_name: optionalText,
  status: z.string(),
  type: z.string(),
  recording: optionalText,
  did_number: optionalText,
  uid: optionalText,
});
export type ApiCdrEvent = z.output<typeof apiCdrEventSchema>;

/**
 * A `cdr/list` / `cdr/search` row ("Query CDR List"). `call_from` may be "Name<number>". Its numbers are not
 * bounded here: one odd row must not make a whole page (and the back-fill of its hours) unreadable; the
 * back-fill refuses such a record alone (the log-call payload is bounded, telephony/jobs.ts).
 */
export const apiCdrRowSchema = z.object({
  id: z.coerce.number(),
  timestamp: z.coerce.number(),
  uid: optionalText,
  call_from: optionalText,
  call_to: optionalText,
  duration: count.default(0),
  ring_duration: count.default(0),
  talk_duration: count.default(0),
  disposition: z.string(),
  call_type: z.string(),
  src_trunk: optionalText,
  dst_trunk: optionalText,
  did_number: optionalText,
  record_file: optionalText,
});
export type ApiCdrRow = z.output<typeof apiCdrRowSchema>;

export const apiRecordingDownloadSchema = z.object({ file: optionalText, download_resource_url: z.string().min(1) });

// ---- contacts and phonebooks ----

export const NUM_TYPES = [
  'business_number',
  'business_number2',
  'business_fax',
  'mobile_number',
  'mobile_number2',
  'home_number',
  'home_number2',
  'home_fax',
  'other_number',
] as const;
export type ApiNumType = (typeof NUM_TYPES)[number];

/** List rows flatten numbers into one field per type ("Search Specific Company Contacts"). */
export const FLAT_NUMBER_FIELDS = {
  business_number: 'business',
  business_number2: 'business2',
  business_fax: 'business_fax',
  mobile_number: 'mobile',
  mobile_number2: 'mobile2',
  home_number: 'home',
  home_number2: 'home2',
  home_fax: 'home_fax',
  other_number: 'other',
} as const satisfies Record<ApiNumType, string>;

const phonebookRef = z.object({ id: z.coerce.number(), name: optionalText });

export const apiContactRowSchema = z.object({
  id: z.coerce.number(),
  contact_name: optionalText,
  company: optionalText,
  email: optionalText,
  remark: optionalText,
  phonebook_list: z.array(phonebookRef).optional(),
  business: optionalText,
  business2: optionalText,
  business_fax: optionalText,
  mobile: optionalText,
  mobile2: optionalText,
  home: optionalText,
  home2: optionalText,
  home_fax: optionalText,
  other: optionalText,
});
export type ApiContactRow = z.output<typeof apiContactRowSchema>;

export const apiContactSchema = z.object({
  data: z.object({
    id: z.coerce.number(),
    first_name: optionalText,
    last_name: optionalText,
    company: optionalText,
    email: optionalText,
    remark: optionalText,
    number_list: z.array(z.object({ num_type: z.enum(NUM_TYPES), number: text })).default([]),
    phonebook_list: z.array(phonebookRef).default([]),
  }),
});
export type ApiContact = z.output<typeof apiContactSchema>['data'];

export const apiPhonebookRowSchema = z.object({ id: z.coerce.number(), name: text, total: count.optional() });
export const apiPhonebookSchema = z.object({
  data: z.object({
    id: z.coerce.number(),
    name: text,
    member_select: z.string().optional(),
    contacts_list: z.array(apiContactRowSchema).default([]),
    total: count.optional(),
  }),
});

export const apiIdSchema = z.object({ id: z.coerce.number() });
export const apiEmptySchema = z.object({});

// ---- event frames ----

/** `{type, sn, msg}`; `msg` is a JSON *string* on the WebSocket (parse it twice), an object is accepted too. */
export const apiEventFrameSchema = z.object({
  type: z.coerce.number().int(),
  sn: optionalText,
  msg: z.union([z.string(), z.record(z.string(), z.unknown())]),
});
