/**
 * The vendor-neutral PBX adapter contract (SPEC T11). The telephony logic —
 * call logging, screen-pops, click-to-call, phonebook sync — talks to a PBX only
 * through `PbxAdapter`; Yeastar P-Series is the first implementation, Asterisk
 * AMI the next. Nothing vendor-specific belongs in this file: ids are opaque
 * strings, times are UTC instants, numbers are as the PBX saw them (trimmed,
 * not yet E.164 — normalisation is the caller's, with per-PBX settings).
 */
import type { Readable } from 'node:stream';
import { RemoteRejectedError } from '../../errors.ts';

// ---------------------------------------------------------------- directory

export interface PbxExtension {
  number: string;
  name: string;
  /** Used to auto-bind HubSpot users to extensions (T3). */
  email?: string;
  /** Whether at least one phone or app is registered; undefined when the PBX does not say. */
  registered?: boolean;
}

/** What `verifyCredentials()` learns about the PBX; shown on the admin page. */
export interface PbxInfo {
  vendor: string;
  model: string;
  firmware: string;
  serialNumber: string;
  /** Offset of the PBX clock from UTC right now, in minutes (e.g. 60 for CET, 330 for IST). */
  utcOffsetMinutes: number;
}

// ---------------------------------------------------------------- live calls

export type PbxCallDirection = 'inbound' | 'outbound' | 'internal';
export type PbxCallState = 'ringing' | 'answered' | 'held' | 'ended';

/** One party of a live call. */
export interface PbxCallMember {
  kind: 'extension' | 'external';
  /** Extension number, or the external number as the PBX saw it. */
  number: string;
  /** ringing = this phone rings; ringback = this party called and hears ringback; talking; held; hungup. */
  state: 'ringing' | 'ringback' | 'talking' | 'held' | 'hungup';
  /** Opaque id of this party's leg (a channel), for vendor-side call control. */
  legId: string;
}

/** A change of a live call. The PBX may repeat or reorder these; key state by `callId`. */
export interface PbxCallEvent {
  type: 'call';
  callId: string;
  state: PbxCallState;
  /**
   * Null while the PBX has shown only one party — the first ring of a
   * click-to-call, when only the caller's own phone rings. Later events of the
   * same call fill it in.
   */
  direction: PbxCallDirection | null;
  /** The outside party (caller of an inbound call, callee of an outbound one); null for internal calls. */
  externalNumber: string | null;
  /** Every extension taking part, in the PBX's order. */
  extensions: string[];
  /** Extensions whose phone is ringing now: whom to screen-pop (T7). */
  ringingExtensions: string[];
  members: PbxCallMember[];
  /** When Spokes received the event (the PBX does not timestamp live call events). */
  receivedAt: Date;
}

/** A call the PBX could not place or complete (click-to-call failures among them). */
export interface PbxCallFailedEvent {
  type: 'call_failed';
  callId: string;
  error: PbxDialError;
  extensions: string[];
  externalNumber: string | null;
  receivedAt: Date;
}

/** An extension's phone changed between ringing, busy (off-hook) and idle. */
export interface PbxExtensionStateEvent {
  type: 'extension_state';
  extension: string;
  state: 'ringing' | 'busy' | 'idle';
  receivedAt: Date;
}

// ---------------------------------------------------------------- call records

export type PbxCdrStatus = 'answered' | 'no_answer' | 'busy' | 'voicemail' | 'failed';

/**
 * The longest call a record may report, seconds: a week. A PBX ends calls long before (Yeastar's "Max Call
 * Duration (s)", PBX Settings > Preferences, defaults to 10,800 s; help.yeastar.com, P-Series administrator
 * guide, "System Preferences"), so anything longer is a corrupt or forged record, refused at the edge.
 */
export const MAX_CALL_SECONDS = 7 * 86_400;

/** A finished call as the PBX recorded it: the source of call logging (T8). */
export interface PbxCdr {
  /**
   * Stable id: the same call yields the same id from the live event and from
   * `listCdrs`, across reconnects and replays. Not always unique: a Yeastar
   * `uid` is the start second and a short suffix, which two calls of one second
   * can share. Dedupe on it with the parties (`recordKey` in call-record.ts).
   */
  id: string;
  /**
   * The id people and other tools know the call's record by, the same from every source (the live
   * record, the listed one after a gap, the recordings list): what Spokes writes into HubSpot as
   * `hs_call_external_id`. Yeastar: the CDR's `uid`.
   */
  externalId: string;
  /**
   * A second key, equal for the same call from either source, for PBXs whose
   * live records lack the unique id (older firmware): start second, parties, length.
   */
  fingerprint: string;
  /** The live call id; null when the PBX's record does not carry it. */
  callId: string | null;
  direction: PbxCallDirection;
  status: PbxCdrStatus;
  /** The status text exactly as the PBX wrote it, for support. */
  pbxStatus: string;
  /** When the call started, a real UTC instant (converted from PBX local time where needed). */
  startedAt: Date;
  ringSeconds: number;
  talkSeconds: number;
  /** Caller and callee numbers as the PBX recorded them, trimmed. */
  from: string;
  to: string;
  /** The outside party; null for internal calls. */
  externalNumber: string | null;
  /** Our side of the call: the answering extension of an inbound call, the calling one otherwise. */
  extension: string | null;
  /** The other extension of an internal call. */
  otherExtension: string | null;
  /** The DID an inbound caller dialled (the company's own number: never the contact's). */
  didNumber: string | null;
  trunk: string | null;
  /** Reference for `openRecording`; null when the call was not recorded. */
  recording: string | null;
}

// ---------------------------------------------------------------- gaps

export type PbxGapReason = 'start' | 'reconnect' | 'token_refresh' | 'invalid_event';

/**
 * A stretch of time during which the event stream may have missed events:
 * before the first subscription, while reconnecting, during a token handover,
 * or when the PBX sent an event that could not be read. The caller back-fills
 * finished calls with `listCdrs(gap.backfill)` and dedupes on `PbxCdr.id` and the parties.
 */
export interface PbxGapEvent {
  type: 'gap';
  reason: PbxGapReason;
  /** Last moment events were known to flow (for 'start': the caller's `since`, else the stream's start). */
  from: Date;
  /** When the new subscription was confirmed. */
  to: Date;
  /**
   * The `listCdrs` range that covers the gap. CDRs are filtered by *start*
   * time but published when a call *ends*, so `from` reaches back by the
   * longest call worth logging; `to` adds a margin for clock skew.
   */
  backfill: { from: Date; to: Date };
}

export interface PbxCdrEvent {
  type: 'cdr';
  cdr: PbxCdr;
  receivedAt: Date;
}

export type PbxEvent = PbxCallEvent | PbxCallFailedEvent | PbxExtensionStateEvent | PbxCdrEvent | PbxGapEvent;

export interface PbxEventOptions {
  /** The caller's last checkpoint: the first gap ('start') reaches back to it. */
  since?: Date;
  /** How far back a gap's back-fill reaches, ms (the longest call worth logging). */
  backfillLookbackMs?: number;
  /** Keep-alive interval, ms. */
  heartbeatMs?: number;
  /** Reconnect backoff: first delay and cap, ms (exponential with jitter). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Aborting closes the stream. */
  signal?: AbortSignal;
}

/**
 * Normalised PBX events, in the order received. Events are surfaced as the PBX
 * sends them — duplicated or reordered ones included; dedupe is the caller's
 * job. Events wait in memory until read, so read promptly (enqueue, do not
 * process inline). Iteration ends after `close()`; it throws when the stream
 * cannot go on (the PBX refused our credentials).
 */
export interface PbxEventStream extends AsyncIterable<PbxEvent> {
  /** True while subscribed. */
  readonly connected: boolean;
  /** Why the stream is not subscribed right now (the last failed attempt or the drop), for the admin page. */
  readonly lastError?: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- click-to-call

export type PbxDialFailure =
  | 'busy'
  | 'no_answer'
  | 'declined'
  | 'do_not_disturb'
  | 'no_permission'
  | 'extension_offline'
  | 'unknown_extension'
  | 'unavailable'
  | 'invalid_number'
  | 'line_unavailable'
  | 'failed';

/** Messages a salesperson reads in the calling widget (C5). */
const DIAL_MESSAGES: Record<PbxDialFailure, (d: { extension?: string; number?: string }) => string> = {
  busy: () => 'The number you called is busy. Try again later.',
  no_answer: () => 'Nobody answered the call.',
  declined: () => 'The person you called declined the call.',
  do_not_disturb: () => 'The person you called has Do Not Disturb on.',
  no_permission: (d) =>
    `Your extension${d.extension ? ` ${d.extension}` : ''} is not allowed to call this number. Ask your PBX administrator for outbound call permission.`,
  extension_offline: (d) =>
    `Your phone${d.extension ? ` (extension ${d.extension})` : ''} is offline. Make sure it is switched on and signed in to the PBX, then try again.`,
  unknown_extension: (d) =>
    `Extension${d.extension ? ` ${d.extension}` : ''} does not exist on the PBX. Ask your administrator to check your extension binding.`,
  unavailable: () => 'The person you called cannot be reached right now.',
  invalid_number: (d) => `${d.number ? `"${d.number}"` : 'This number'} cannot be dialled. Check the number and try again.`,
  line_unavailable: () => 'No outside line is available right now. Try again in a moment.',
  failed: () => 'The PBX could not place the call.',
};

/**
 * A call that could not be placed, with a message for the salesperson. Thrown by
 * `dial()` when the PBX refuses at once, and carried by `call_failed` events
 * when it fails later (busy, offline phone, no permission…). Permanent: retrying
 * the same dial will not help.
 */
export class PbxDialError extends RemoteRejectedError {
  readonly reason: PbxDialFailure;
  /** The PBX's own reason text, for support (e.g. "486 Busy here"). */
  readonly pbxReason?: string;
  constructor(reason: PbxDialFailure, details: { extension?: string; number?: string; pbxReason?: string } = {}) {
    super(DIAL_MESSAGES[reason](details));
    this.name = 'PbxDialError';
    this.reason = reason;
    this.pbxReason = details.pbxReason;
  }
}

export interface PbxDialOptions {
  /** Ask the caller's phone to pick up by itself (IP phones that support it). */
  autoAnswer?: boolean;
  /** Borrow another extension's outbound permission. */
  dialPermissionOf?: string;
}

export interface PbxDialResult {
  /** The live call id: events and the CDR of this call carry it. */
  callId: string;
}

// ---------------------------------------------------------------- recordings

export interface PbxRecording {
  stream: Readable;
  /** Always an `audio/*` type: an adapter refuses whatever else the PBX answers. */
  contentType: string;
  contentLength?: number;
  fileName: string;
}

// ---------------------------------------------------------------- phonebooks and contacts

export interface PbxPhonebook {
  id: string;
  name: string;
  contactCount: number;
  /** Marked as owned by the CRM sync (T4): Spokes overwrites it; users should not edit it. */
  crmOwned: boolean;
}

export type PbxNumberType = 'work' | 'work2' | 'work_fax' | 'mobile' | 'mobile2' | 'home' | 'home2' | 'home_fax' | 'other';

export interface PbxContactNumber {
  type: PbxNumberType;
  number: string;
}

/** What Spokes writes: a CRM contact copied into a PBX phonebook. */
export interface PbxContactInput {
  firstName: string;
  lastName?: string;
  company?: string;
  email?: string;
  numbers: PbxContactNumber[];
  /** Free text; Spokes stores its tag here (e.g. `hubspot:12345`) to find its own contacts. */
  remark?: string;
}

/** A contact as lists return it: one display name, not split into first and last. */
export interface PbxContactSummary {
  id: string;
  displayName: string;
  company: string;
  email: string;
  numbers: PbxContactNumber[];
  remark: string;
  /** Phonebooks the contact is in, when the listing tells. */
  phonebookIds?: string[];
}

export interface PbxContact extends PbxContactSummary {
  firstName: string;
  lastName: string;
  phonebookIds: string[];
}

// ---------------------------------------------------------------- the adapter

export interface PbxCapabilities {
  phonebooks: boolean;
  recordings: boolean;
  /** The PBX can push events to a Spokes URL (besides the stream Spokes opens). */
  webhooks: boolean;
}

export interface PbxAdapter {
  readonly vendor: string;
  readonly capabilities: PbxCapabilities;

  /** Signs in once (the "Connect" form). Wrong credentials → AuthExpiredError; never retried on its own. */
  verifyCredentials(): Promise<PbxInfo>;
  listExtensions(): Promise<PbxExtension[]>;

  /**
   * Click-to-call: rings `fromExtension` first, then dials `toNumber`. Resolves
   * with the call id once the PBX accepted the request; failures the PBX finds
   * later arrive as `call_failed` events for that call id.
   * @throws PbxDialError when the PBX refuses at once (unknown extension, undialable number).
   */
  dial(fromExtension: string, toNumber: string, opts?: PbxDialOptions): Promise<PbxDialResult>;
  /** Hangs up a live call; false when it was no longer live. */
  hangup(callId: string): Promise<boolean>;

  /**
   * Every CDR of calls that *started* in [from, to] (to the second), all pages, in the
   * order the PBX recorded them (roughly when each call ended). For a gap, pass `gap.backfill`.
   */
  listCdrs(range: { from: Date; to: Date }): AsyncIterable<PbxCdr>;
  /** Streams a recording with the PBX credentials, so that no PBX token reaches a browser. */
  openRecording(ref: string): Promise<PbxRecording>;

  phonebooks: {
    list(): Promise<PbxPhonebook[]>;
    /** Creates a phonebook marked as CRM-owned. */
    create(name: string): Promise<PbxPhonebook>;
    /** Marks (or unmarks, on disconnect — T10) an existing phonebook as CRM-owned. */
    setCrmOwned(phonebookId: string, owned: boolean): Promise<PbxPhonebook>;
    isEmpty(phonebookId: string): Promise<boolean>;
  };

  contacts: {
    list(phonebookId: string): Promise<PbxContactSummary[]>;
    get(contactId: string): Promise<PbxContact>;
    /** Creates a contact inside the phonebook. */
    create(phonebookId: string, input: PbxContactInput): Promise<PbxContact>;
    /** Replaces the fields given (`numbers` as a whole). */
    update(contactId: string, patch: Partial<PbxContactInput>): Promise<PbxContact>;
    /** Deletes the contact from the PBX, leaving every phonebook first. */
    delete(contactId: string): Promise<void>;
    /** Contacts whose remark equals `tag` exactly. */
    findByTag(tag: string): Promise<PbxContactSummary[]>;
  };

  events(opts?: PbxEventOptions): PbxEventStream;

  /** Closes event streams and gives the PBX its token back. */
  dispose(): Promise<void>;
}
