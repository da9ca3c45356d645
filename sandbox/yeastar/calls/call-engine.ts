import { EVENT, type EventBus } from '../events/event-bus.ts';
import type { FaultState } from '../faults.ts';
import type { CdrStatus, PbxState } from '../pbx-state.ts';
import { IdGenerator, memberWire, type CalleeBehaviour, type Direction, type Leg, type MemberStatus, type Outcome, type SimCall } from './call-model.ts';
import { writeCdr } from './cdr-writer.ts';

type ExtCallStatus = 'Ringing' | 'Busy' | 'Idle';

/**
 * The mechanics every simulated call shares: a timeline compressed by
 * `timeScale`, the 30011 member list, 30008 extension status, 30015 failures,
 * the final BYE and the CDR. The flows (who rings when) live in call-flows.ts.
 */
export class CallEngine {
  readonly active = new Map<string, SimCall>();
  /** Recently finished calls, newest last (capped), so manual steps on them answer 409. */
  readonly finished: SimCall[] = [];
  readonly ids = new IdGenerator();
  private extStatus = new Map<string, ExtCallStatus>();
  readonly state: PbxState;
  readonly bus: EventBus;
  readonly faults: FaultState;

  constructor(state: PbxState, bus: EventBus, faults: FaultState) {
    this.state = state;
    this.bus = bus;
    this.faults = faults;
  }

  get timeScale(): number {
    return this.state.options.timeScale;
  }

  newCall(init: {
    direction: Direction;
    origin: SimCall['origin'];
    extension: string;
    other: string;
    outcome: Outcome;
    ringSeconds: number;
    talkSeconds: number;
    manual: boolean;
  }): SimCall {
    const now = Date.now();
    const call: SimCall = {
      ...init,
      id: this.ids.callId(),
      legs: [],
      phase: 'ringing',
      startMs: now,
      virtualSec: 0,
      lastRealMs: now,
      timers: new Set(),
      reorder: !!this.faults.current.reorderCallEvents,
      dropSocketsAfterFirstEvent: this.faults.dropOnNextCall,
      eventsSent: 0,
    };
    // The 'mid-call' drop applies to exactly one call: the next one.
    this.faults.dropOnNextCall = false;
    this.active.set(call.id, call);
    return call;
  }

  extensionLeg(number: string, status: MemberStatus): Leg {
    return { kind: 'extension', number, channel_id: this.ids.channel(number), status };
  }

  trunkLeg(kind: 'inbound' | 'outbound', from: string, to: string, status: MemberStatus): Leg {
    const trunk = this.state.options.trunkName;
    return { kind, from, to, trunk_name: trunk, channel_id: this.ids.channel(trunk), status };
  }

  /** Runs `fn` after `seconds` of PBX time (seconds × timeScale of real time). */
  after(call: SimCall, seconds: number, fn: () => void): void {
    const timer = setTimeout(
      () => {
        call.timers.delete(timer);
        if (call.phase === 'ended') return;
        call.virtualSec += seconds;
        call.lastRealMs = Date.now();
        fn();
      },
      Math.round(seconds * 1000 * this.timeScale),
    );
    call.timers.add(timer);
  }

  /** Brings the call's PBX clock up to now before a manual step (real elapsed ÷ timeScale). */
  catchUp(call: SimCall): void {
    const now = Date.now();
    call.virtualSec += (now - call.lastRealMs) / 1000 / this.timeScale;
    call.lastRealMs = now;
  }

  private emit(call: SimCall, type: number, msg: Record<string, unknown>): void {
    if (call.reorder && type !== EVENT.EXTENSION_CALL_STATUS) {
      // reorderCallEvents fault: hold back every other event of the call (30011/30015/30012)
      // and send it after the next one. 30008 carries no call_id and passes through.
      if (!call.heldEvent) {
        call.heldEvent = { type, msg };
        return;
      }
      this.send(call, type, msg);
      const held = call.heldEvent;
      call.heldEvent = undefined;
      this.send(call, held.type, held.msg);
      return;
    }
    this.send(call, type, msg);
  }

  private send(call: SimCall, type: number, msg: Record<string, unknown>): void {
    this.bus.publish(type, msg);
    call.eventsSent += 1;
    if (call.dropSocketsAfterFirstEvent && call.eventsSent === 1) {
      call.dropSocketsAfterFirstEvent = false;
      this.bus.dropAll();
    }
  }

  /** 30011 with the current members, then 30008 for every extension whose call status changed. */
  publishStatus(call: SimCall): void {
    if (call.legs.length > 0) {
      this.emit(call, EVENT.CALL_STATUS, { call_id: call.id, members: call.legs.map(memberWire) });
    }
    this.publishExtensionStatus(call);
  }

  private publishExtensionStatus(call: SimCall): void {
    for (const leg of call.legs) {
      if (leg.kind !== 'extension' || !leg.number) continue;
      const status = this.extensionCallStatus(leg.number);
      if ((this.extStatus.get(leg.number) ?? 'Idle') === status) continue;
      this.extStatus.set(leg.number, status);
      this.emit(call, EVENT.EXTENSION_CALL_STATUS, { extension: leg.number, status });
    }
  }

  /** Ringing / Busy / Idle across every active call (30008, pbx-apis.md §1.4). */
  extensionCallStatus(number: string): ExtCallStatus {
    let status: ExtCallStatus = 'Idle';
    for (const call of this.active.values()) {
      for (const leg of call.legs) {
        if (leg.kind !== 'extension' || leg.number !== number || leg.status === 'BYE') continue;
        if (leg.status !== 'RING') return 'Busy';
        status = 'Ringing';
      }
    }
    return status;
  }

  /** 30015 Call Failed with one of the documented `reason` strings. */
  fail(call: SimCall, reason: string): void {
    this.emit(call, EVENT.CALL_FAILED, { call_id: call.id, reason, members: call.legs.map(memberWire) });
  }

  /** The ringing party picks up: RING → ANSWER, ALERT → ANSWERED (§1.5). */
  answerRinging(call: SimCall): void {
    for (const leg of call.legs) {
      if (leg.status === 'RING') leg.status = 'ANSWER';
      else if (leg.status === 'ALERT') leg.status = 'ANSWERED';
    }
    call.phase = 'talking';
    call.answeredAtSec = call.virtualSec;
    this.publishStatus(call);
  }

  /** Everyone hangs up: BYE for all members, Idle, CDR (unless `withCdr` is false), 30012. */
  end(call: SimCall, status: CdrStatus, withCdr = true): void {
    if (call.phase === 'ended') return;
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    call.phase = 'ended';
    for (const leg of call.legs) leg.status = 'BYE';
    if (call.legs.length > 0) this.emit(call, EVENT.CALL_STATUS, { call_id: call.id, members: call.legs.map(memberWire) });
    this.active.delete(call.id);
    this.publishExtensionStatus(call);
    if (withCdr) this.emit(call, EVENT.NEW_CDR, writeCdr(this.state, call, status));
    if (call.heldEvent) {
      const held = call.heldEvent;
      call.heldEvent = undefined;
      this.send(call, held.type, held.msg);
    }
    this.finished.push(call);
    if (this.finished.length > 200) this.finished.shift();
  }

  /** Plays out a ringing call to its outcome (shared by the simulator and call/dial). */
  resolve(call: SimCall, outcome: Outcome, talkSeconds: number): void {
    switch (outcome) {
      case 'answered':
        this.answerRinging(call);
        this.after(call, talkSeconds, () => this.end(call, 'ANSWERED'));
        return;
      case 'voicemail':
        if (call.direction === 'outbound') {
          // A far-end voicemail answers the trunk call; the PBX cannot tell it from a person.
          this.resolve(call, 'answered', talkSeconds);
          return;
        }
        for (const leg of call.legs) {
          if (leg.status === 'RING') leg.status = 'BYE';
          else if (leg.status === 'ALERT') leg.status = 'ANSWERED';
        }
        call.phase = 'talking';
        call.inVoicemail = true;
        call.answeredAtSec = call.virtualSec;
        this.publishStatus(call);
        this.after(call, talkSeconds, () => this.end(call, 'VOICEMAIL'));
        return;
      case 'no_answer':
        this.end(call, 'NO ANSWER');
        return;
      case 'busy':
        if (call.direction !== 'inbound') this.fail(call, '486 Busy here');
        this.end(call, 'BUSY');
        return;
      case 'failed':
        if (call.direction !== 'inbound') this.fail(call, call.direction === 'outbound' ? 'Line Unreachable' : 'Circuit/channel congestion');
        this.end(call, 'FAILED');
        return;
    }
  }

  // ---- manual steps (POST /sandbox/calls/:id/answer|hangup|hold|unhold, call/hangup, call/hold) ----

  find(callId: string): SimCall | undefined {
    return this.active.get(callId) ?? this.finished.find((c) => c.id === callId);
  }

  findByChannel(channelId: string): { call: SimCall; leg: Leg } | undefined {
    for (const call of this.active.values()) {
      const leg = call.legs.find((l) => l.channel_id === channelId && l.status !== 'BYE');
      if (leg) return { call, leg };
    }
    return undefined;
  }

  /** Hook set by call-flows.ts: what answering the caller leg of a call/dial does. */
  onCallerAnswered: (call: SimCall) => void = () => {};

  /** Returns false when nothing is ringing. */
  answer(call: SimCall): boolean {
    if (call.phase === 'ended' || !call.legs.some((l) => l.status === 'RING')) return false;
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    this.catchUp(call);
    if (call.phase === 'caller-ringing') {
      this.onCallerAnswered(call);
      return true;
    }
    this.answerRinging(call);
    // Answered by hand: talk until a hangup, unless the call plays itself out.
    if (!call.manual && !call.calleeBehaviour?.manual) this.after(call, call.talkSeconds, () => this.end(call, 'ANSWERED'));
    return true;
  }

  hangup(call: SimCall): boolean {
    if (call.phase === 'ended') return false;
    this.catchUp(call);
    if (call.phase === 'talking') this.end(call, call.inVoicemail ? 'VOICEMAIL' : 'ANSWERED');
    else this.end(call, call.outcome === 'busy' ? 'BUSY' : call.outcome === 'failed' ? 'FAILED' : 'NO ANSWER');
    return true;
  }

  /** HOLD on one member [U: which member shows HOLD is not documented; the holding extension's leg here]. */
  hold(call: SimCall, leg?: Leg): boolean {
    const target = leg ?? call.legs.find((l) => l.kind === 'extension' && l.number === call.extension);
    if (call.phase !== 'talking' || !target || target.status === 'HOLD' || target.status === 'BYE') return false;
    target.beforeHold = target.status;
    target.status = 'HOLD';
    this.publishStatus(call);
    return true;
  }

  unhold(call: SimCall, leg?: Leg): boolean {
    const target = leg ?? call.legs.find((l) => l.status === 'HOLD');
    if (call.phase !== 'talking' || !target || target.status !== 'HOLD') return false;
    target.status = target.beforeHold ?? 'ANSWER';
    target.beforeHold = undefined;
    this.publishStatus(call);
    return true;
  }

  /** Clears every timer; with `forget`, drops all calls (sandbox reset). */
  stop(forget: boolean): void {
    for (const call of this.active.values()) for (const t of call.timers) clearTimeout(t);
    if (forget) {
      this.active.clear();
      this.finished.length = 0;
      this.extStatus.clear();
    }
  }
}

export type { CalleeBehaviour };
