import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { FaultState } from '../faults.ts';

/**
 * Webhook event push (pbx-apis.md §1.3b; help.yeastar.com ".../monitor-events-via-webhook.html"):
 * configured in the web UI (here: `POST /sandbox/webhooks`) or with `webhook/update`, up to 5,
 * each with its events or "All" and its own 32-character secret. The body is the same
 * `{type, sn, msg}` frame as on the WebSocket [U], signed with
 * `X-Signature: Base64(HMAC-SHA256(secret, raw body))` [C].
 * The PBX waits `webhook_event_push_timeout` seconds (3–10, 5 in the vendor's example) for a 2xx
 * and re-sends up to `webhook_event_push_retry_count` times (1–5, 3 in the example) "when the push
 * fails or no successful response is received" [C: "Query / Update Webhook Event Push Settings",
 * help.yeastar.com/zh-cn/p-series-cloud-edition/developer-guide/query-webhook-event-push-settings.html].
 * Retries follow at once [U: no interval is documented]. Only POST delivery is emulated; the
 * PBX's GET option carries no documented body.
 */
export const webhookSpecSchema = z
  .object({
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    events: z.union([z.literal('all'), z.array(z.number().int().min(30000).max(30099)).min(1)]).optional(),
    method: z.literal('POST').optional(),
    /** Signing key of this webhook; the PBX-wide default (`webhookSecret` in /sandbox/info) when left out. */
    secret: z.string().min(1).optional(),
  })
  .strict();

export type WebhookSpec = z.infer<typeof webhookSpecSchema>;

export interface Webhook {
  id: number;
  url: string;
  method: 'POST';
  events: number[] | 'all';
  secret: string;
}

/** How long the PBX waits for an answer and how often it re-sends (webhook/query, webhook/update). */
export interface WebhookPushSettings {
  timeoutSec: number;
  retryCount: number;
}

export interface WebhookDelivery {
  webhookId: number;
  url: string;
  type: number;
  at: string;
  /** HTTP status the receiver answered; absent when the request failed or was lost. */
  status?: number;
  ok: boolean;
  /** 1 for the first try, 2… for the re-sends after a failure. */
  attempt: number;
  /** True when the failWebhooks fault swallowed the delivery. */
  lost?: boolean;
  error?: string;
}

export function signWebhookBody(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export class WebhookDispatcher {
  private hooks: Webhook[] = [];
  private nextId = 1;
  /** One chain per webhook so that deliveries to a URL arrive in the order the PBX sent them. */
  private chains = new Map<number, Promise<void>>();
  private aborter = new AbortController();
  readonly deliveries: WebhookDelivery[] = [];
  readonly settings: WebhookPushSettings = { timeoutSec: 5, retryCount: 3 };
  private readonly secret: string;
  private readonly faults: FaultState;
  readonly max: number;

  constructor(secret: string, faults: FaultState, max: number) {
    this.secret = secret;
    this.faults = faults;
    this.max = max;
  }

  list(): Webhook[] {
    return this.hooks.map((h) => ({ ...h }));
  }

  /** Returns null when the PBX already has its maximum of webhooks. */
  add(spec: WebhookSpec): Webhook | null {
    if (this.hooks.length >= this.max) return null;
    const hook: Webhook = { id: this.nextId++, url: spec.url, method: 'POST', events: spec.events ?? 'all', secret: spec.secret ?? this.secret };
    this.hooks.push(hook);
    return { ...hook };
  }

  remove(id: number): boolean {
    const before = this.hooks.length;
    this.hooks = this.hooks.filter((h) => h.id !== id);
    return this.hooks.length < before;
  }

  /** webhook/update: the list is replaced as a whole (the caller validated it). */
  replace(specs: WebhookSpec[], settings: Partial<WebhookPushSettings>): Webhook[] {
    this.hooks = [];
    for (const spec of specs) this.add(spec);
    Object.assign(this.settings, settings);
    return this.list();
  }

  clear(): void {
    this.hooks = [];
    this.deliveries.length = 0;
    Object.assign(this.settings, { timeoutSec: 5, retryCount: 3 });
    this.aborter.abort();
    this.aborter = new AbortController();
    this.chains.clear();
  }

  dispatch(type: number, rawBody: string): void {
    for (const hook of this.hooks) {
      if (hook.events !== 'all' && !hook.events.includes(type)) continue;
      const previous = this.chains.get(hook.id) ?? Promise.resolve();
      // The signal is taken now: deliveries queued before a clear() must not go out after it.
      const signal = this.aborter.signal;
      const next = previous.then(() => this.deliver(hook, type, rawBody, signal));
      this.chains.set(hook.id, next);
    }
  }

  /** Resolves once every queued delivery has been attempted (tests and close() use it). */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async deliver(hook: Webhook, type: number, rawBody: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; attempt <= 1 + this.settings.retryCount; attempt++) {
      if (signal.aborted) return;
      const { webhookDelayMs, failWebhooks, badWebhookSignature } = this.faults.current;
      if (webhookDelayMs) await new Promise((r) => setTimeout(r, webhookDelayMs));
      if (signal.aborted) return;
      const record: WebhookDelivery = { webhookId: hook.id, url: hook.url, type, at: new Date().toISOString(), attempt, ok: false };
      if (failWebhooks) {
        // Lost on the way without the PBX noticing: no re-send.
        record.lost = true;
        record.error = 'lost by the failWebhooks fault';
        this.deliveries.push(record);
        return;
      }
      const signature = signWebhookBody(badWebhookSignature ? `${hook.secret}-wrong` : hook.secret, rawBody);
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Signature': signature, 'User-Agent': 'Yeastar-Webhook' },
          body: rawBody,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.settings.timeoutSec * 1000)]),
        });
        await res.arrayBuffer();
        record.status = res.status;
        record.ok = res.ok;
      } catch (err) {
        record.error = err instanceof Error ? err.message : String(err);
      }
      if (signal.aborted) return;
      this.deliveries.push(record);
      if (record.ok) return;
    }
  }
}
