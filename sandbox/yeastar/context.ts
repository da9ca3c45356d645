import type { CallEngine } from './calls/call-engine.ts';
import type { DialPlan } from './calls/call-flows.ts';
import type { EventBus } from './events/event-bus.ts';
import type { WebhookDispatcher } from './events/webhooks.ts';
import type { FaultState } from './faults.ts';
import type { ResolvedOptions } from './options.ts';
import type { PbxState } from './pbx-state.ts';
import type { TokenStore } from './token-store.ts';

/** Everything one emulated PBX is made of; routes receive this, not globals. */
export interface YeastarContext {
  options: ResolvedOptions;
  state: PbxState;
  tokens: TokenStore;
  faults: FaultState;
  bus: EventBus;
  webhooks: WebhookDispatcher;
  engine: CallEngine;
  dialPlan: DialPlan;
  /** http://127.0.0.1:<port>, set once the sandbox listens. */
  baseUrl?: string;
}
