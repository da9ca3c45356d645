import { z } from 'zod';

/**
 * Faults a test can switch on through `POST /sandbox/faults` (or `setFaults()`).
 * Each body replaces the previous set; `{}` clears every fault.
 */
export const faultsSchema = z
  .object({
    /** Every 30012 New CDR event is sent twice (WebSocket frames and webhook deliveries). */
    duplicateCdrEvents: z.boolean().optional(),
    /** 30011/30015/30012 events of each call are delivered in swapped pairs (2nd before 1st, 4th before 3rd, …). */
    reorderCallEvents: z.boolean().optional(),
    /** 'now' closes every open WebSocket at once; 'mid-call' closes them after the first event of the next call. */
    dropWebSocket: z.enum(['now', 'mid-call']).optional(),
    /** Every webhook delivery waits this long before it is sent. */
    webhookDelayMs: z.number().int().min(0).max(120_000).optional(),
    /** Webhook deliveries are lost: never sent, logged as failed. */
    failWebhooks: z.boolean().optional(),
    /** Webhook deliveries carry a wrong X-Signature. */
    badWebhookSignature: z.boolean().optional(),
    /** OpenAPI requests answer this HTTP status (500–599) with no JSON envelope … */
    apiErrorStatus: z.number().int().min(500).max(599).optional(),
    /** … for this many requests (default: until cleared). */
    apiErrorCount: z.number().int().positive().optional(),
    /** OpenAPI requests are answered after this delay. */
    apiDelayMs: z.number().int().min(0).max(120_000).optional(),
  })
  .strict();

export type Faults = z.infer<typeof faultsSchema>;

export class FaultState {
  current: Faults = {};
  /** Set by the 'mid-call' drop: the call engine drops sockets after the next call's first event. */
  dropOnNextCall = false;
  private apiErrorsLeft: number | undefined;

  set(faults: Faults): void {
    this.current = { ...faults };
    delete this.current.dropWebSocket;
    this.dropOnNextCall = faults.dropWebSocket === 'mid-call';
    this.apiErrorsLeft = faults.apiErrorCount;
  }

  /** Whether this OpenAPI request should fail with `apiErrorStatus`; counts down `apiErrorCount`. */
  takeApiError(): number | undefined {
    const status = this.current.apiErrorStatus;
    if (status === undefined) return undefined;
    if (this.apiErrorsLeft !== undefined) {
      if (this.apiErrorsLeft <= 0) return undefined;
      this.apiErrorsLeft -= 1;
    }
    return status;
  }

  snapshot(): Faults & { dropWebSocketPending: boolean } {
    return { ...this.current, dropWebSocketPending: this.dropOnNextCall };
  }
}
