import { z } from 'zod';
import type { CallType, CdrStatus } from '../pbx-state.ts';

/** member_status values of 30011 (pbx-apis.md §1.5). EARLYMEDIA is not emulated. */
export type MemberStatus = 'ALERT' | 'RING' | 'ANSWERED' | 'ANSWER' | 'HOLD' | 'BYE';

export interface Leg {
  kind: 'extension' | 'inbound' | 'outbound';
  /** Extension number (kind 'extension'). */
  number?: string;
  /** Trunk legs: caller and callee numbers as the PBX saw them. */
  from?: string;
  to?: string;
  trunk_name?: string;
  channel_id: string;
  status: MemberStatus;
  /** Status to restore on unhold. */
  beforeHold?: MemberStatus;
}

export type Outcome = 'answered' | 'no_answer' | 'busy' | 'voicemail' | 'failed';
export type Direction = 'inbound' | 'outbound' | 'internal';

/** `POST /sandbox/calls` body (validated; a bad field is answered 400 naming it). */
export const simulateCallSchema = z
  .object({
    direction: z.enum(['inbound', 'outbound', 'internal']),
    /** The external number (inbound caller / outbound callee); for 'internal', the other extension. */
    external: z.string().trim().min(1).max(64),
    extension: z.string().trim().min(1).max(16),
    outcome: z.enum(['answered', 'no_answer', 'busy', 'voicemail', 'failed']).default('answered'),
    ringSeconds: z.number().min(0).max(3600).default(3),
    talkSeconds: z.number().min(0).max(86_400).default(10),
    /** Stop after the first ringing event; a test drives the rest with /answer, /hangup, /hold, /unhold. */
    manual: z.boolean().default(false),
  })
  .strict();
export type SimulateCallSpec = z.infer<typeof simulateCallSchema>;

/** How a dialled number (the callee of call/dial) behaves. */
export const calleeBehaviourSchema = z.object({
  outcome: z.enum(['answered', 'no_answer', 'busy', 'voicemail', 'failed']).default('answered'),
  ringSeconds: z.number().min(0).max(3600).default(3),
  talkSeconds: z.number().min(0).max(86_400).default(10),
  manual: z.boolean().default(false),
});
export type CalleeBehaviour = z.infer<typeof calleeBehaviourSchema>;

export const dialRulesSchema = z
  .object({
    /** Behaviour of any dialled number without a rule. */
    defaults: calleeBehaviourSchema.partial().optional(),
    /** Seconds before an extension in 'auto' answer mode picks up the call/dial ring (0 with auto_answer=yes). */
    callerAnswerSeconds: z.number().min(0).max(600).optional(),
    /** Per-number rules; replace the previous rules. */
    rules: z.array(calleeBehaviourSchema.partial().extend({ number: z.string().trim().min(1) })).optional(),
  })
  .strict();
export type DialRules = z.infer<typeof dialRulesSchema>;

export interface SimCall {
  id: string;
  direction: Direction;
  origin: 'simulator' | 'call/dial';
  /** The extension the call belongs to (caller for outbound/internal/dial, callee for inbound). */
  extension: string;
  /** The other party: external number, or the other extension for internal calls. */
  other: string;
  legs: Leg[];
  outcome: Outcome;
  ringSeconds: number;
  talkSeconds: number;
  manual: boolean;
  phase: 'caller-ringing' | 'ringing' | 'talking' | 'ended';
  startMs: number;
  /** Nominal PBX seconds elapsed: exact for scheduled steps, real/timeScale for manual ones. */
  virtualSec: number;
  lastRealMs: number;
  answeredAtSec?: number;
  timers: Set<NodeJS.Timeout>;
  reorder: boolean;
  heldEvent?: { type: number; msg: Record<string, unknown> };
  dropSocketsAfterFirstEvent: boolean;
  eventsSent: number;
  /** The caller is leaving a voicemail (the CDR will say VOICEMAIL). */
  inVoicemail?: boolean;
  /** call/dial: how the dialled party behaves (dial rules). */
  calleeBehaviour?: CalleeBehaviour;
  /** call/dial: the extension whose outbound permission applies (`dial_permission`, else the caller). */
  dialPermission?: string;
}

export function memberWire(leg: Leg): Record<string, unknown> {
  // call_path is filled only for IVR/queue/ring group routes, which are not emulated (§1.5).
  if (leg.kind === 'extension') {
    return { extension: { number: leg.number, channel_id: leg.channel_id, member_status: leg.status, call_path: '' } };
  }
  return {
    [leg.kind]: {
      from: leg.from,
      to: leg.to,
      trunk_name: leg.trunk_name,
      channel_id: leg.channel_id,
      member_status: leg.status,
      call_path: '',
    },
  };
}

export function callType(call: SimCall): CallType {
  return call.direction === 'inbound' ? 'Inbound' : call.direction === 'outbound' ? 'Outbound' : 'Internal';
}

export const STATUS_BY_OUTCOME: Record<Outcome, CdrStatus> = {
  answered: 'ANSWERED',
  no_answer: 'NO ANSWER',
  busy: 'BUSY',
  voicemail: 'VOICEMAIL',
  failed: 'FAILED',
};

/** Ids shaped like the PBX's: call ids "1651057476.362", channels "PJSIP/2002-00000013". */
export class IdGenerator {
  private callSeq = 100;
  private channelSeq = 0x10;

  callId(): string {
    this.callSeq += 1;
    return `${Math.floor(Date.now() / 1000)}.${this.callSeq}`;
  }

  channel(endpoint: string): string {
    this.channelSeq += 1;
    return `PJSIP/${endpoint}-${this.channelSeq.toString(16).padStart(8, '0')}`;
  }
}
