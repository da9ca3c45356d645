import { z } from 'zod';

/**
 * Faults a test switches on with `POST /sandbox/faults` (or `setFaults()`). Each body replaces
 * the previous set; `{}` clears every fault. Delivery faults act on webhook deliveries queued
 * while they are on.
 */
export const faultsSchema = z
  .object({
    /** Every delivery is sent twice: the same body, the same signature. */
    duplicateDeliveries: z.boolean().optional(),
    /** Deliveries to one URL go out in swapped pairs (2nd before 1st, 4th before 3rd, …). */
    reorderDeliveries: z.boolean().optional(),
    /** How long a delivery waits for the one to swap with before it goes alone. Default 1000 ms. */
    reorderWindowMs: z.number().int().min(1).max(60_000).optional(),
    /** Every delivery waits this long before its first attempt. */
    deliveryDelayMs: z.number().int().min(0).max(120_000).optional(),
    /** Deliveries are lost on the way: never sent, never retried, logged as lost. */
    dropDeliveries: z.boolean().optional(),
    /** Deliveries carry a wrong signature. */
    badSignature: z.boolean().optional(),
    /** API requests (Cal.com's /v2) answer this status with an HTML error page … */
    apiErrorStatus: z.number().int().min(500).max(599).optional(),
    /** … for this many requests (default: until cleared). */
    apiErrorCount: z.number().int().positive().optional(),
    /** API requests are answered after this delay. */
    apiDelayMs: z.number().int().min(0).max(120_000).optional(),
  })
  .strict();

export type Faults = z.infer<typeof faultsSchema>;

export class FaultState {
  current: Faults = {};
  private apiErrorsLeft: number | undefined;

  set(faults: Faults): void {
    this.current = { ...faults };
    this.apiErrorsLeft = faults.apiErrorCount;
  }

  /** The status this API request should fail with, if any; counts down `apiErrorCount`. */
  takeApiError(): number | undefined {
    const status = this.current.apiErrorStatus;
    if (status === undefined) return undefined;
    if (this.apiErrorsLeft !== undefined) {
      if (this.apiErrorsLeft <= 0) return undefined;
      this.apiErrorsLeft -= 1;
    }
    return status;
  }

  snapshot(): Faults & { apiErrorsLeft?: number } {
    return { ...this.current, ...(this.apiErrorsLeft !== undefined ? { apiErrorsLeft: this.apiErrorsLeft } : {}) };
  }
}
