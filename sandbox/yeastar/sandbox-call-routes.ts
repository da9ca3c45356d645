import type { FastifyInstance } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from './control-errors.ts';
import { startSimulatedCall } from './calls/call-flows.ts';
import { dialRulesSchema, memberWire, simulateCallSchema, type SimCall, type SimulateCallSpec } from './calls/call-model.ts';
import type { YeastarContext } from './context.ts';
import { parseControlBody } from './sandbox-body.ts';

export function callSummary(call: SimCall): Record<string, unknown> {
  return {
    call_id: call.id,
    direction: call.direction,
    origin: call.origin,
    extension: call.extension,
    other: call.other,
    outcome: call.outcome,
    phase: call.phase,
    members: call.legs.map(memberWire),
  };
}

/**
 * The call simulator: `POST /sandbox/calls` starts a call and answers at once with its
 * call_id; the events follow on the compressed timeline. Manual steps drive a call by
 * hand (also call/dial calls, e.g. a browser test where the callee answers, then hangs up).
 */
export function registerSandboxCallRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const { engine, dialPlan } = ctx;

  app.post('/sandbox/calls', async (request, reply) => {
    const spec = parseControlBody(request, simulateCallSchema);
    const call = simulateCall(ctx, spec);
    return reply.code(201).send({ call_id: call.id });
  });

  app.get('/sandbox/calls', async () => ({
    active: [...engine.active.values()].map(callSummary),
    finished: engine.finished.map(callSummary),
  }));

  const steps = { answer: engine.answer, hangup: engine.hangup, hold: engine.hold, unhold: engine.unhold } as const;
  app.post('/sandbox/calls/:callId/:step', async (request) => {
    const { callId, step } = request.params as { callId: string; step: string };
    if (!(step in steps)) throw new NotFoundError(`No call step "${step}"; use answer, hangup, hold or unhold.`);
    const call = engine.find(callId);
    if (!call) throw new NotFoundError(`No call ${callId}.`);
    const done = steps[step as keyof typeof steps].call(engine, call);
    if (!done) throw new ConflictError(`Call ${callId} cannot ${step} now (phase: ${call.phase}).`);
    return callSummary(call);
  });

  app.get('/sandbox/dial-rules', async () => dialPlan.snapshot());

  app.post('/sandbox/dial-rules', async (request) => {
    dialPlan.configure(parseControlBody(request, dialRulesSchema));
    return dialPlan.snapshot();
  });
}

/** Validates the parties against the PBX, then starts the call (shared by the route and the typed helper). */
export function simulateCall(ctx: YeastarContext, spec: SimulateCallSpec): SimCall {
  const { state, engine } = ctx;
  if (!state.extension(spec.extension)) {
    throw new ValidationError(`No extension ${spec.extension} on this PBX.`, [{ field: 'extension', message: 'unknown extension' }]);
  }
  if (spec.direction === 'internal') {
    if (!state.extension(spec.external) || spec.external === spec.extension) {
      throw new ValidationError('For an internal call, external must be another extension of this PBX.', [
        { field: 'external', message: 'not another extension' },
      ]);
    }
  } else if (!/^\+?[0-9*#]{2,32}$/.test(spec.external)) {
    throw new ValidationError('external must be a phone number (digits, optional leading +).', [{ field: 'external', message: 'not a phone number' }]);
  }
  return startSimulatedCall(engine, spec);
}
