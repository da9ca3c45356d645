import type { FaultState } from './faults.ts';
import type { DeliveryPolicy } from './options.ts';
import type { Subscription } from './subscriptions.ts';

/** The vendor-specific part of a delivery: its headers (signature included). */
export interface DeliveryFormat {
  headers(rawBody: string, secret: string | null, meta: { deliveryId: string; triggerEvent: string; attempt: number }): Record<string, string>;
}

/** One attempt to deliver one event to one subscriber (`GET /sandbox/deliveries`). */
export interface DeliveryRecord {
  /** Sequence number of this record. */
  seq: number;
  /** Shared by the attempts of one delivery; the duplicate fault's second copy has its own. */
  deliveryId: string;
  webhookId: string;
  subscriberUrl: string;
  triggerEvent: string;
  bookingUid: string | null;
  /** 1 for the first try, 2… for retries. */
  attempt: number;
  at: string;
  ok: boolean;
  /** HTTP status the subscriber answered; absent when the request failed or was lost. */
  status?: number;
  /** The start of the subscriber's answer (at most 500 characters). */
  response?: string;
  error?: string;
  durationMs?: number;
  /** Lost by the dropDeliveries fault: never sent. */
  lost?: boolean;
  /** The second copy sent by the duplicateDeliveries fault. */
  duplicate?: boolean;
  /** Sent after the delivery that followed it (reorderDeliveries fault). */
  reordered?: boolean;
  /** When the next retry is due, if one is scheduled. */
  nextAttemptAt?: string;
  body: string;
}

interface Job {
  sub: Subscription;
  secret: string | null;
  triggerEvent: string;
  bookingUid: string | null;
  rawBody: string;
  deliveryId: string;
  duplicate: boolean;
  reordered: boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Sends webhook deliveries. First attempts to one subscriber go out in the order the events
 * happened, each after the previous one was answered; a failed delivery is retried later
 * (`backoffMs`, doubling) without holding up the ones behind it, so a retried delivery can
 * arrive after a later event — as with a task queue. Faults add duplicates, swaps, delays,
 * losses and bad signatures.
 */
export class DeliveryQueue {
  readonly log: DeliveryRecord[] = [];
  private seq = 0;
  private nextDelivery = 1;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly held = new Map<string, { job: Job; timer: NodeJS.Timeout; release: () => void }>();
  private readonly pending = new Set<Promise<unknown>>();
  private aborter = new AbortController();
  private readonly policy: DeliveryPolicy;
  private readonly faults: FaultState;
  private readonly format: DeliveryFormat;
  private readonly prefix: string;

  constructor(policy: DeliveryPolicy, faults: FaultState, format: DeliveryFormat, prefix: string) {
    this.policy = policy;
    this.faults = faults;
    this.format = format;
    this.prefix = prefix;
  }

  /** Queues one event for one subscriber, applying the duplicate and reorder faults. */
  send(sub: Subscription, triggerEvent: string, bookingUid: string | null, rawBody: string): void {
    const copies = this.faults.current.duplicateDeliveries ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const job: Job = {
        sub,
        secret: sub.secret,
        triggerEvent,
        bookingUid,
        rawBody,
        deliveryId: `${this.prefix}${this.nextDelivery++}`,
        duplicate: i === 1,
        reordered: false,
      };
      if (this.faults.current.reorderDeliveries) this.swapInPairs(job);
      else this.enqueue(job);
    }
  }

  /** One attempt, no retry, answered to the caller (Cal.com's "Ping test" button shows the answer). */
  async ping(sub: Subscription, triggerEvent: string, rawBody: string): Promise<{ ok: boolean; status: number; message?: string }> {
    const job: Job = {
      sub,
      secret: sub.secret,
      triggerEvent,
      bookingUid: null,
      rawBody,
      deliveryId: `${this.prefix}${this.nextDelivery++}`,
      duplicate: false,
      reordered: false,
    };
    const record = await this.attempt(job, 1, this.aborter.signal);
    return { ok: record.ok, status: record.status ?? 500, ...(record.response ? { message: record.response } : {}) };
  }

  /** Resolves once nothing is queued, held, waiting for a retry or in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Drops everything queued (reset, close); deliveries in flight are aborted and not logged. */
  clear(): void {
    this.aborter.abort();
    this.aborter = new AbortController();
    for (const { timer, release } of this.held.values()) {
      clearTimeout(timer);
      release();
    }
    this.held.clear();
    this.chains.clear();
    this.log.length = 0;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  /** Holds a delivery until the next one to the same subscriber, then sends that one first. */
  private swapInPairs(job: Job): void {
    const waiting = this.held.get(job.sub.id);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.held.delete(job.sub.id);
      waiting.release();
      this.enqueue(job);
      this.enqueue({ ...waiting.job, reordered: true });
      return;
    }
    let release = () => {};
    this.track(
      new Promise<void>((r) => {
        release = r;
      }),
    );
    const timer = setTimeout(() => {
      this.held.delete(job.sub.id);
      release();
      this.enqueue(job);
    }, this.faults.current.reorderWindowMs ?? 1000);
    this.held.set(job.sub.id, { job, timer, release });
  }

  private enqueue(job: Job): void {
    const signal = this.aborter.signal;
    const previous = this.chains.get(job.sub.id) ?? Promise.resolve();
    const next = previous.then(() => this.firstAttempt(job, signal));
    this.chains.set(job.sub.id, next);
    this.track(next);
  }

  private async firstAttempt(job: Job, signal: AbortSignal): Promise<void> {
    const { deliveryDelayMs, dropDeliveries } = this.faults.current;
    if (deliveryDelayMs) await sleep(deliveryDelayMs, signal);
    if (signal.aborted) return;
    if (dropDeliveries) {
      this.push({ ...this.recordOf(job, 1), lost: true, error: 'lost by the dropDeliveries fault' });
      return;
    }
    const record = await this.attempt(job, 1, signal);
    if (!record.ok && !signal.aborted) this.retryLater(job, 2, record, signal);
  }

  private retryLater(job: Job, attempt: number, failed: DeliveryRecord, signal: AbortSignal): void {
    if (attempt > this.policy.maxAttempts) return;
    const wait = this.policy.backoffMs * 2 ** (attempt - 2);
    failed.nextAttemptAt = new Date(Date.now() + wait).toISOString();
    this.track(
      (async () => {
        await sleep(wait, signal);
        if (signal.aborted) return;
        const record = await this.attempt(job, attempt, signal);
        if (!record.ok && !signal.aborted) this.retryLater(job, attempt + 1, record, signal);
      })(),
    );
  }

  private recordOf(job: Job, attempt: number): DeliveryRecord {
    return {
      seq: 0,
      deliveryId: job.deliveryId,
      webhookId: job.sub.id,
      subscriberUrl: job.sub.subscriberUrl,
      triggerEvent: job.triggerEvent,
      bookingUid: job.bookingUid,
      attempt,
      at: new Date().toISOString(),
      ok: false,
      body: job.rawBody,
      ...(job.duplicate ? { duplicate: true } : {}),
      ...(job.reordered ? { reordered: true } : {}),
    };
  }

  private async attempt(job: Job, attempt: number, signal: AbortSignal): Promise<DeliveryRecord> {
    const record = this.recordOf(job, attempt);
    const secret = this.faults.current.badSignature ? `${job.secret ?? ''}-wrong` : job.secret;
    const headers = this.format.headers(job.rawBody, secret, { deliveryId: job.deliveryId, triggerEvent: job.triggerEvent, attempt });
    const started = Date.now();
    try {
      // A redirect is not followed: it counts as a failed delivery (Cal.com sendPayload: redirect "manual").
      const res = await fetch(job.sub.subscriberUrl, {
        method: 'POST',
        headers,
        body: job.rawBody,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.policy.timeoutMs)]),
      });
      const text = await res.text();
      record.status = res.status;
      record.ok = res.ok;
      if (text) record.response = text.slice(0, 500);
    } catch (err) {
      record.error = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
    }
    record.durationMs = Date.now() - started;
    if (!signal.aborted) this.push(record);
    return record;
  }

  private push(record: DeliveryRecord): void {
    record.seq = ++this.seq;
    this.log.push(record);
    if (this.log.length > 2000) this.log.shift();
  }
}
