import type { CallEngine } from './call-engine.ts';
import { calleeBehaviourSchema, type CalleeBehaviour, type DialRules, type SimCall, type SimulateCallSpec } from './call-model.ts';

/**
 * Who rings when, per direction (pbx-apis.md §1.5 for member statuses):
 *
 * inbound   [inbound ALERT, extension RING] → answered: [ANSWERED, ANSWER] → [BYE, BYE] → CDR
 *           busy / failed: only the trunk member ever appears (the extension is never rung).
 *           voicemail: the extension leg goes BYE while the trunk leg is ANSWERED by voicemail.
 * outbound  [extension ALERT, outbound RING] → [ANSWERED, ANSWER] → BYE → CDR;
 *           busy → 30015 "486 Busy here"; failed → 30015 "Line Unreachable";
 *           no outbound permission → 30015 "NO Outbound Restrictin" (reason strings verbatim from
 *           help.yeastar.com ".../event-call-failed.html", typos included).
 * internal  [extension A ALERT, extension B RING] → …; busy → "486 Busy here"; failed → "Circuit/channel congestion".
 */
export function startSimulatedCall(engine: CallEngine, spec: SimulateCallSpec): SimCall {
  const call = engine.newCall({
    direction: spec.direction,
    origin: 'simulator',
    extension: spec.extension,
    other: spec.external,
    outcome: spec.outcome,
    ringSeconds: spec.ringSeconds,
    talkSeconds: spec.talkSeconds,
    manual: spec.manual,
  });
  const neverRings = spec.outcome === 'busy' || spec.outcome === 'failed';
  if (spec.direction === 'inbound') {
    call.legs.push(engine.trunkLeg('inbound', spec.external, engine.state.options.didNumber, 'ALERT'));
    if (!neverRings) call.legs.push(engine.extensionLeg(spec.extension, 'RING'));
  } else if (spec.direction === 'outbound') {
    call.legs.push(engine.extensionLeg(spec.extension, 'ALERT'));
    if (!engine.state.extension(spec.extension)?.outboundPermission) {
      engine.publishStatus(call);
      engine.fail(call, 'NO Outbound Restrictin');
      engine.end(call, 'FAILED');
      return call;
    }
    call.legs.push(engine.trunkLeg('outbound', spec.extension, spec.external, 'RING'));
  } else {
    call.legs.push(engine.extensionLeg(spec.extension, 'ALERT'));
    if (!neverRings) call.legs.push(engine.extensionLeg(spec.external, 'RING'));
  }
  engine.publishStatus(call);
  if (!spec.manual) engine.after(call, spec.ringSeconds, () => engine.resolve(call, spec.outcome, spec.talkSeconds));
  return call;
}

/** A callee number is dialable when it is digits (with an optional leading + and * or #), 3 to 32 long. */
const DIALABLE = /^\+?[0-9*#]{3,32}$/;

/**
 * call/dial (help.yeastar.com ".../make-a-call.html"): the caller extension rings
 * first; once it answers the PBX dials the callee, obeying the caller's (or the
 * `dial_permission` extension's) outbound permission; a failure fires 30015.
 * How the dialled party behaves is set by dial rules (`POST /sandbox/dial-rules`).
 */
export class DialPlan {
  private defaults: CalleeBehaviour = calleeBehaviourSchema.parse({});
  private rules = new Map<string, CalleeBehaviour>();
  callerAnswerSeconds = 1;
  private readonly engine: CallEngine;

  constructor(engine: CallEngine) {
    this.engine = engine;
    engine.onCallerAnswered = (call) => this.callerAnswered(call);
  }

  reset(): void {
    this.defaults = calleeBehaviourSchema.parse({});
    this.rules.clear();
    this.callerAnswerSeconds = 1;
  }

  configure(input: DialRules): void {
    if (input.defaults) this.defaults = { ...this.defaults, ...input.defaults };
    if (input.callerAnswerSeconds !== undefined) this.callerAnswerSeconds = input.callerAnswerSeconds;
    if (input.rules) {
      this.rules.clear();
      for (const { number, ...rest } of input.rules) this.rules.set(number, { ...this.defaults, ...rest });
    }
  }

  snapshot(): { defaults: CalleeBehaviour; callerAnswerSeconds: number; rules: (CalleeBehaviour & { number: string })[] } {
    return {
      defaults: this.defaults,
      callerAnswerSeconds: this.callerAnswerSeconds,
      rules: [...this.rules].map(([number, b]) => ({ number, ...b })),
    };
  }

  behaviourFor(number: string): CalleeBehaviour {
    return this.rules.get(number) ?? this.defaults;
  }

  /** Starts the call; the caller must be a known extension (checked by the route). */
  start(req: { caller: string; callee: string; dialPermission?: string; autoAnswer: boolean }): SimCall {
    const engine = this.engine;
    const calleeIsExtension = !!engine.state.extension(req.callee);
    const behaviour = this.behaviourFor(req.callee);
    const call = engine.newCall({
      direction: calleeIsExtension ? 'internal' : 'outbound',
      origin: 'call/dial',
      extension: req.caller,
      other: req.callee,
      outcome: behaviour.outcome,
      ringSeconds: behaviour.ringSeconds,
      talkSeconds: behaviour.talkSeconds,
      manual: behaviour.manual,
    });
    call.calleeBehaviour = behaviour;
    call.dialPermission = req.dialPermission ?? req.caller;
    call.phase = 'caller-ringing';
    const caller = engine.state.extension(req.caller);
    // Let the HTTP response with the call_id leave before the first event.
    engine.after(call, 0, () => {
      if (!caller?.online) {
        // An unregistered phone cannot be rung: 480 (the reason list's "not answered / unavailable").
        engine.fail(call, '480 Temporatily Unavailable');
        engine.end(call, 'FAILED', false);
        return;
      }
      call.legs.push(engine.extensionLeg(req.caller, 'RING'));
      engine.publishStatus(call);
      if (caller.answerMode === 'auto') {
        engine.after(call, req.autoAnswer ? 0 : this.callerAnswerSeconds, () => this.callerAnswered(call));
      }
    });
    return call;
  }

  private callerAnswered(call: SimCall): void {
    const engine = this.engine;
    const callerLeg = call.legs[0];
    callerLeg.status = 'ALERT';
    call.phase = 'ringing';
    // The caller's ring time is not talk time: the CDR counts from the first ring.
    const behaviour = call.calleeBehaviour ?? this.defaults;
    if (call.direction === 'outbound') {
      if (!DIALABLE.test(call.other)) return this.failNow(call, '484 Address incomplete');
      const permissionFrom = engine.state.extension(call.dialPermission ?? call.extension);
      if (!permissionFrom?.outboundPermission) return this.failNow(call, 'NO Outbound Restrictin');
      call.legs.push(engine.trunkLeg('outbound', call.extension, call.other, 'RING'));
    } else {
      const callee = engine.state.extension(call.other);
      if (!callee?.online) return this.failNow(call, '480 Temporatily Unavailable');
      call.legs.push(engine.extensionLeg(call.other, 'RING'));
    }
    engine.publishStatus(call);
    if (!behaviour.manual) engine.after(call, behaviour.ringSeconds, () => engine.resolve(call, behaviour.outcome, behaviour.talkSeconds));
  }

  private failNow(call: SimCall, reason: string): void {
    this.engine.publishStatus(call);
    this.engine.fail(call, reason);
    this.engine.end(call, 'FAILED');
  }
}
