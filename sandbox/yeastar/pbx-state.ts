import type { ExtensionSeed, ResolvedOptions } from './options.ts';

/** Row types of the emulated PBX database (STYLE.md: `Db…` rows, `Api…` wire shapes). */
export interface DbExtension {
  id: number;
  number: string;
  name: string;
  email: string;
  mobile: string;
  online: boolean;
  outboundPermission: boolean;
  presence: string;
  role: string;
  answerMode: 'auto' | 'manual';
}

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
export type NumType = (typeof NUM_TYPES)[number];

export interface DbContact {
  id: number;
  first_name: string;
  last_name: string;
  company: string;
  email: string;
  remark: string;
  number_list: { num_type: NumType; number: string }[];
  zip_code: string;
  street: string;
  city: string;
  state: string;
  country: string;
}

export interface DbPhonebook {
  id: number;
  name: string;
  member_select: 'sel_all' | 'sel_specific';
  /** Members when `sel_specific`; ignored for `sel_all` (every contact is in it). */
  contactIds: number[];
}

export type CdrStatus = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'VOICEMAIL' | 'FAILED';
export type CallType = 'Inbound' | 'Outbound' | 'Internal';

export interface DbCdr {
  id: number;
  uid: string;
  call_id: string;
  startMs: number;
  call_from: string;
  call_to: string;
  from_name: string;
  to_name: string;
  call_duration: number;
  ring_duration: number;
  talk_duration: number;
  status: CdrStatus;
  type: CallType;
  src_trunk: string;
  dst_trunk: string;
  did_number: string;
  recording: string;
  src_addr: string;
}

export interface DbRecording {
  id: number;
  file: string;
  uid: string;
  call_id: string;
  startMs: number;
  call_from: string;
  call_to: string;
  /** Talk time in seconds: the recording's length (its audio is made when downloaded: calls/wav.ts). */
  duration: number;
  call_type: CallType;
}

/** A `call/dial` request as received, kept for assertions (`dialRequests()`). */
export interface DialRequestRecord {
  at: string;
  body: Record<string, unknown>;
  errcode: number;
  call_id?: string;
}

export function toDbExtension(seed: ExtensionSeed, id: number): DbExtension {
  return {
    id,
    number: seed.number,
    name: seed.name,
    email: seed.email,
    mobile: seed.mobile ?? '',
    online: seed.online ?? true,
    outboundPermission: seed.outboundPermission ?? true,
    presence: seed.presence ?? 'available',
    role: seed.role ?? 'Employee',
    answerMode: seed.answerMode ?? 'auto',
  };
}

/**
 * Everything the PBX stores. `reset()` returns it to the state right after
 * start-up (the seed extensions, nothing else); credentials survive a reset.
 */
export class PbxState {
  readonly options: ResolvedOptions;
  readonly startedAt = Date.now();
  extensions: DbExtension[] = [];
  contacts: DbContact[] = [];
  phonebooks: DbPhonebook[] = [];
  cdrs: DbCdr[] = [];
  recordings: DbRecording[] = [];
  dialRequests: DialRequestRecord[] = [];
  /** Request counters by endpoint path (e.g. "get_token"), for `/sandbox/requests`. */
  counters = new Map<string, number>();
  private seq = { extension: 0, contact: 0, phonebook: 0, cdr: 0, recording: 0 };

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.reset();
  }

  reset(): void {
    this.seq = { extension: 0, contact: 0, phonebook: 0, cdr: 0, recording: 0 };
    this.extensions = this.options.extensions.map((e) => toDbExtension(e, this.nextId('extension')));
    this.contacts = [];
    this.phonebooks = [];
    this.cdrs = [];
    this.recordings = [];
    this.dialRequests = [];
    this.counters.clear();
  }

  nextId(kind: keyof PbxState['seq']): number {
    this.seq[kind] += 1;
    return this.seq[kind];
  }

  count(endpoint: string): void {
    this.counters.set(endpoint, (this.counters.get(endpoint) ?? 0) + 1);
  }

  extension(number: string): DbExtension | undefined {
    return this.extensions.find((e) => e.number === number);
  }

  /** Phonebooks a contact belongs to explicitly (membership of `sel_specific` books). */
  phonebooksOf(contactId: number): DbPhonebook[] {
    return this.phonebooks.filter((p) => p.member_select === 'sel_specific' && p.contactIds.includes(contactId));
  }

  contactsIn(book: DbPhonebook): DbContact[] {
    if (book.member_select === 'sel_all') return this.contacts;
    return book.contactIds.map((id) => this.contacts.find((c) => c.id === id)).filter((c): c is DbContact => !!c);
  }
}
