/**
 * A call the widget picks up from Spokes rather than from its own live events:
 * one that rang before the page loaded (a tab the pop-up page opened, issue 10
 * defect 4), one going on across a reload or `navigateToRecord`, or a wrap-up
 * left open in another tab or before a reload (defect 2). Spokes keeps the
 * wrap-up's notes and outcome and what the widget showed of the call (`view`).
 */
import { newCall, type ActiveCall, type CallStage } from './call-model.ts';
import type { CurrentCall } from './widget-api.ts';

/** What the wrap-up screen needs again after a reload, kept by Spokes with the call. */
const VIEW_FIELDS = ['startedAt', 'answeredAt', 'endedAt', 'endStatus', 'failure', 'match', 'hubspotMatch', 'callee', 'hungUpByUser'] as const;

export function viewOf(call: ActiveCall): Record<string, unknown> {
  return Object.fromEntries(VIEW_FIELDS.map((f) => [f, call[f]]));
}

function stageOf(c: CurrentCall): CallStage {
  switch (c.state) {
    case 'answered':
      return 'connected';
    case 'held':
      return 'held';
    case 'ended':
      return 'ended';
    case 'ringing':
      // A click-to-call rings the salesperson's own phone first: the other side is not known yet.
      return c.direction === 'outbound' && c.live?.direction !== 'outbound' ? 'your-phone' : 'ringing';
  }
}

/** The widget's call for a call Spokes reports; the kept view first, live facts over it. */
export function callFromServer(c: CurrentCall): ActiveCall {
  const view = (c.wrapUp?.view ?? {}) as Partial<ActiveCall>;
  const stage = stageOf(c);
  const call = newCall({
    direction: c.direction,
    number: c.number ?? c.live?.externalNumber ?? 'Unknown number',
    extension: c.extension,
    stage,
    callId: c.callId,
    ...Object.fromEntries(VIEW_FIELDS.flatMap((f) => (view[f] !== undefined ? [[f, view[f]]] : []))),
    engagementId: c.engagementId ? Number(c.engagementId) : null,
    notes: c.wrapUp?.notes ?? '',
    disposition: c.wrapUp?.disposition ?? '',
  });
  if (c.live?.match && !call.match) call.match = c.live.match;
  if ((stage === 'connected' || stage === 'held') && !call.answeredAt) call.answeredAt = Date.now();
  if (stage === 'ended' && !call.endedAt) call.endedAt = Date.now();
  if (stage === 'ended' && !call.endStatus) call.endStatus = call.answeredAt ? 'COMPLETED' : c.direction === 'inbound' ? 'MISSED' : 'NO_ANSWER';
  return call;
}
