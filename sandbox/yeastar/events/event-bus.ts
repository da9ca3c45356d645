import type { WebSocket } from 'ws';
import type { FaultState } from '../faults.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** Event ids the emulator emits (pbx-apis.md §1.4). */
export const EVENT = {
  EXTENSION_REGISTRATION: 30007,
  EXTENSION_CALL_STATUS: 30008,
  EXTENSION_PRESENCE: 30009,
  CALL_STATUS: 30011,
  NEW_CDR: 30012,
  CALL_FAILED: 30015,
} as const;

export interface Subscriber {
  socket: WebSocket;
  accessToken: string;
  topics: Set<number>;
}

export interface SentEvent {
  type: number;
  at: string;
  msg: Record<string, unknown>;
}

/**
 * Fans each PBX event out to the WebSocket subscribers of its topic and to the
 * webhooks that want it. Frames are `{"type":…,"sn":"…","msg":"<JSON string>"}`:
 * `msg` is JSON encoded a second time, exactly as the PBX sends it (§1.3).
 */
export class EventBus {
  readonly subscribers = new Set<Subscriber>();
  /** Every event published, newest last (capped), for `GET /sandbox/events`. */
  readonly history: SentEvent[] = [];
  private readonly sn: string;
  private readonly faults: FaultState;
  private readonly webhooks: WebhookDispatcher;

  constructor(sn: string, faults: FaultState, webhooks: WebhookDispatcher) {
    this.sn = sn;
    this.faults = faults;
    this.webhooks = webhooks;
  }

  publish(type: number, msg: Record<string, unknown>): void {
    const frame = JSON.stringify({ type, sn: this.sn, msg: JSON.stringify(msg) });
    const copies = type === EVENT.NEW_CDR && this.faults.current.duplicateCdrEvents ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.history.push({ type, at: new Date().toISOString(), msg });
      if (this.history.length > 1000) this.history.shift();
      for (const sub of this.subscribers) {
        if (sub.topics.has(type) && sub.socket.readyState === sub.socket.OPEN) sub.socket.send(frame);
      }
      this.webhooks.dispatch(type, frame);
    }
  }

  /** Abrupt drop (no close frame), as when the network or the PBX service goes away. */
  dropAll(): number {
    const n = this.subscribers.size;
    for (const sub of this.subscribers) sub.socket.terminate();
    this.subscribers.clear();
    return n;
  }

  /** A socket opened with a token that is no longer valid is cut off (pbx-apis.md §1.3a). */
  dropForToken(accessToken: string): void {
    for (const sub of this.subscribers) {
      if (sub.accessToken === accessToken) {
        sub.socket.close(1000, 'token expired');
        this.subscribers.delete(sub);
      }
    }
  }
}
