/**
 * Webhooks v3 delivery (reference §10): CRM changes in a portal where an app is
 * installed become events for the app's active subscriptions, POSTed as a JSON array
 * (at most `webhookBatchSize` per request) to the app's target URL, signed (§10.2),
 * at most `maxConcurrentRequests` at a time, and retried on a connection failure,
 * a timeout or a non-2xx answer with `attemptNumber` incremented.
 */
import type { Logger } from 'pino';
import type { CrmChangeEvent } from '../crm/events.ts';
import { OBJECT_TYPES } from '../model/object-types.ts';
import type { SandboxApp, SandboxState, WebhookSubscription } from '../model/sandbox-state.ts';
import { signedHeaders } from './signature.ts';

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  objectTypeId?: string;
  propertyName?: string;
  propertyValue?: string;
  changeSource: string;
  associationType?: string;
  fromObjectId?: number;
  toObjectId?: number;
  associationRemoved?: boolean;
  isPrimaryAssociation?: boolean;
}

export interface DeliveryRecord {
  appId: number;
  targetUrl: string;
  attemptNumber: number;
  eventIds: number[];
  status: number | null;
  error?: string;
  at: number;
}

export interface DispatcherOptions {
  retryDelaysMs: () => number[];
  timeoutMs: number;
  batchWindowMs: number;
  batchSize: () => number;
  logger: Logger;
}

export class WebhookDispatcher {
  private readonly queues = new Map<number, WebhookEvent[]>();
  private readonly flushTimers = new Map<number, NodeJS.Timeout>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Map<number, number>();
  private readonly waiting: Array<() => void> = [];
  private closed = false;
  readonly deliveries: DeliveryRecord[] = [];
  delivered = 0;
  failedAttempts = 0;

  private readonly getState: () => SandboxState;
  private readonly options: DispatcherOptions;

  constructor(getState: () => SandboxState, options: DispatcherOptions) {
    this.getState = getState;
    this.options = options;
  }

  handle(change: CrmChangeEvent): void {
    if (this.closed) return;
    for (const app of this.getState().apps.values()) {
      if (!app.webhookSettings || !this.getState().install(app.appId, change.portalId)) continue;
      for (const subscription of app.subscriptions) {
        if (!subscription.active || !matches(subscription, change)) continue;
        this.enqueue(app, toEvent(this.getState(), app, subscription, change));
      }
    }
  }

  /** Events queued, waiting for a retry or being delivered. */
  get pending(): number {
    let count = this.retryTimers.size;
    for (const queue of this.queues.values()) count += queue.length;
    for (const n of this.inFlight.values()) count += n;
    return count;
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of [...this.flushTimers.values(), ...this.retryTimers]) clearTimeout(timer);
    this.flushTimers.clear();
    this.retryTimers.clear();
    this.queues.clear();
    this.settle();
  }

  private enqueue(app: SandboxApp, event: WebhookEvent): void {
    const queue = this.queues.get(app.appId) ?? [];
    queue.push(event);
    this.queues.set(app.appId, queue);
    this.scheduleFlush(app.appId, this.options.batchWindowMs);
  }

  private scheduleFlush(appId: number, delay: number): void {
    if (this.flushTimers.has(appId) || this.closed) return;
    this.flushTimers.set(
      appId,
      setTimeout(() => {
        this.flushTimers.delete(appId);
        this.flush(appId);
      }, delay),
    );
  }

  private flush(appId: number): void {
    const app = this.getState().apps.get(appId);
    const queue = this.queues.get(appId) ?? [];
    if (!app?.webhookSettings) {
      this.queues.delete(appId);
      this.settle();
      return;
    }
    const limit = Math.max(1, app.webhookSettings.maxConcurrentRequests);
    while (queue.length > 0 && (this.inFlight.get(appId) ?? 0) < limit) {
      void this.send(app, queue.splice(0, this.options.batchSize()));
    }
    if (queue.length === 0) this.queues.delete(appId);
    this.settle();
  }

  private async send(app: SandboxApp, events: WebhookEvent[]): Promise<void> {
    this.inFlight.set(app.appId, (this.inFlight.get(app.appId) ?? 0) + events.length);
    const targetUrl = app.webhookSettings!.targetUrl;
    const body = JSON.stringify(events);
    const timestamp = Date.now();
    const record: DeliveryRecord = {
      appId: app.appId,
      targetUrl,
      attemptNumber: events[0].attemptNumber,
      eventIds: events.map((e) => e.eventId),
      status: null,
      at: timestamp,
    };
    try {
      const response = await fetch(targetUrl, {
        method: 'POST',
        headers: { ...signedHeaders(app.clientSecret, targetUrl, body, timestamp), 'user-agent': 'HubSpot Webhooks (Spokes sandbox)' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      record.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) record.error = `HTTP ${response.status}`;
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    this.deliveries.push(record);
    if (this.deliveries.length > 1000) this.deliveries.shift();
    this.inFlight.set(app.appId, (this.inFlight.get(app.appId) ?? 0) - events.length);
    if (record.error === undefined) this.delivered += events.length;
    else this.retry(app, events, record.error);
    if ((this.queues.get(app.appId)?.length ?? 0) > 0) this.flush(app.appId);
    this.settle();
  }

  private retry(app: SandboxApp, events: WebhookEvent[], reason: string): void {
    this.failedAttempts++;
    const delays = this.options.retryDelaysMs();
    const attempt = events[0].attemptNumber;
    if (this.closed || attempt >= delays.length) {
      this.options.logger.warn({ appId: app.appId, events: events.length, reason }, 'webhook delivery abandoned after the last retry');
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      const again = events.map((e) => ({ ...e, attemptNumber: e.attemptNumber + 1 }));
      for (const event of again) (this.queues.get(app.appId) ?? this.queues.set(app.appId, []).get(app.appId)!).push(event);
      this.flush(app.appId);
    }, delays[attempt]);
    this.retryTimers.add(timer);
  }

  private settle(): void {
    if (this.pending !== 0) return;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

function matches(subscription: WebhookSubscription, change: CrmChangeEvent): boolean {
  const info = OBJECT_TYPES[change.objectType];
  const [prefix, verb] = subscription.eventType.split('.');
  if (verb !== change.kind) return false;
  if (prefix === 'object') {
    if (subscription.objectTypeId !== info.typeId) return false;
  } else if (prefix !== info.webhookPrefix) return false;
  if (verb === 'propertyChange') return subscription.propertyName === change.propertyName;
  return true;
}

function toEvent(state: SandboxState, app: SandboxApp, subscription: WebhookSubscription, change: CrmChangeEvent): WebhookEvent {
  const event: WebhookEvent = {
    eventId: state.counters.nextEventId++,
    subscriptionId: subscription.id,
    portalId: change.portalId,
    appId: app.appId,
    occurredAt: change.occurredAt,
    subscriptionType: subscription.eventType,
    attemptNumber: 0,
    objectId: change.objectId,
    changeSource: change.changeSource,
  };
  if (subscription.eventType.startsWith('object.')) event.objectTypeId = OBJECT_TYPES[change.objectType].typeId;
  if (change.kind === 'propertyChange') {
    event.propertyName = change.propertyName;
    event.propertyValue = change.propertyValue;
  }
  if (change.association) Object.assign(event, change.association);
  return event;
}
