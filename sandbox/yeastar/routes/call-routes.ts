import type { FastifyInstance } from 'fastify';
import { memberWire } from '../calls/call-model.ts';
import type { YeastarContext } from '../context.ts';
import { ERR, YeastarApiError, invalid } from '../errcodes.ts';
import { defineApi, optionalString, requireString } from './api-kit.ts';

/**
 * call/dial, call/query, call/hangup (help.yeastar.com ".../make-a-call.html",
 * ".../hang-up-a-call.html"; call/query shape from public client notes [3P]),
 * and call/hold / call/unhold with `channel_id` [U: named like hang-up].
 */
export function registerCallRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const { state, engine, dialPlan } = ctx;

  defineApi(app, ctx, {
    path: 'call/dial',
    method: 'POST',
    handler: ({ body }) => {
      state.count('call/dial');
      const record = { at: new Date().toISOString(), body, errcode: 0 } as (typeof state.dialRequests)[number];
      state.dialRequests.push(record);
      try {
        const caller = requireString(body, 'caller');
        const callee = requireString(body, 'callee');
        const dialPermission = optionalString(body, 'dial_permission');
        const autoAnswer = optionalString(body, 'auto_answer');
        // Callers may also be IVRs, ring groups or queues on a real PBX; the emulator knows only extensions [U: error].
        if (!state.extension(caller)) throw invalid('caller', caller);
        if (dialPermission !== undefined && !state.extension(dialPermission)) throw invalid('dial_permission', dialPermission);
        if (autoAnswer !== undefined && autoAnswer !== 'yes' && autoAnswer !== 'no') throw invalid('auto_answer', autoAnswer);
        const call = dialPlan.start({ caller, callee, dialPermission, autoAnswer: autoAnswer === 'yes' });
        record.call_id = call.id;
        return { call_id: call.id };
      } catch (err) {
        if (err instanceof YeastarApiError) record.errcode = err.def.errcode;
        throw err;
      }
    },
  });

  // A call_id that is not (or no longer) in progress answers 60001 [U; public clients saw a non-zero errcode].
  defineApi(app, ctx, {
    path: 'call/query',
    method: 'GET',
    handler: ({ query }) => {
      let calls = [...engine.active.values()].filter((c) => c.legs.length > 0);
      if (query.call_id !== undefined) {
        calls = calls.filter((c) => c.id === query.call_id);
        if (calls.length === 0) throw new YeastarApiError(ERR.DATA_NOT_FOUND);
      }
      if (query.extension !== undefined) calls = calls.filter((c) => c.legs.some((l) => l.number === query.extension));
      if (query.type !== undefined) calls = calls.filter((c) => c.direction === query.type);
      return { data: calls.map((c) => ({ call_id: c.id, members: c.legs.filter((l) => l.status !== 'BYE').map(memberWire) })) };
    },
  });

  const byChannel = (body: Record<string, unknown>) => {
    const channelId = requireString(body, 'channel_id');
    const hit = engine.findByChannel(channelId);
    if (!hit) throw new YeastarApiError(ERR.CHANNEL_ID_NOT_FOUND);
    return hit;
  };

  defineApi(app, ctx, {
    path: 'call/hangup',
    method: 'POST',
    handler: ({ body }) => {
      const { call } = byChannel(body);
      engine.hangup(call);
      return { call_id: call.id };
    },
  });

  defineApi(app, ctx, {
    path: 'call/hold',
    method: 'POST',
    handler: ({ body }) => {
      const { call, leg } = byChannel(body);
      if (!engine.hold(call, leg)) throw new YeastarApiError(ERR.OPERATION_NOT_SUPPORTED);
      return { call_id: call.id };
    },
  });

  defineApi(app, ctx, {
    path: 'call/unhold',
    method: 'POST',
    handler: ({ body }) => {
      const { call, leg } = byChannel(body);
      if (!engine.unhold(call, leg)) throw new YeastarApiError(ERR.OPERATION_NOT_SUPPORTED);
      return { call_id: call.id };
    },
  });
}
