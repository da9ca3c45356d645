import { randomUUID } from 'node:crypto';
import { conflict, invalidField, notFound } from './control-errors.ts';
import { randomSecret, type WebhookSeed } from './options.ts';

/** A webhook subscription: where to send which triggers, signed with which secret. */
export interface Subscription {
  id: string;
  /** The API user who created it (Cal.com v2); null for ones set up in options or /sandbox/webhooks. */
  userId: number | null;
  subscriberUrl: string;
  /** null: Cal.com signs with "no-secret-provided". */
  secret: string | null;
  eventTriggers: string[];
  active: boolean;
  payloadTemplate: string | null;
  createdAt: string;
}

export interface SubscriptionRules {
  /** Trigger names a subscription may carry. */
  triggers: readonly string[];
  /** Default triggers of a new subscription. */
  defaultTriggers: readonly string[];
  /** The vendor's limit on subscriptions, if any (immedio: 3). */
  max?: number;
}

export class SubscriptionList {
  private items: Subscription[] = [];
  /**
   * The configured subscriptions — the options' and those added with `keep` (the sandbox's own
   * subscriber, Spokes) — built once so that a reset brings them back with their ids and secrets.
   */
  private readonly seeded: Subscription[];
  readonly rules: SubscriptionRules;

  constructor(seeds: WebhookSeed[], rules: SubscriptionRules) {
    this.rules = rules;
    if (rules.max !== undefined && seeds.length > rules.max) throw new TypeError(`at most ${rules.max} webhooks can be configured`);
    this.seeded = seeds.map((seed, i) => {
      const unknown = (seed.eventTriggers ?? []).filter((t) => !rules.triggers.includes(t));
      if (unknown.length) throw new TypeError(`webhooks.${i}.eventTriggers: unknown trigger ${unknown.join(', ')}`);
      return this.build(`seed-${i + 1}`, null, seed, seed.secret === undefined ? randomSecret() : seed.secret);
    });
    this.reset();
  }

  /** Back to the configured subscriptions: runtime ones go, a configured one deleted or changed comes back as configured. */
  reset(): void {
    this.items = this.seeded.map((s) => ({ ...s, eventTriggers: [...s.eventTriggers] }));
  }

  list(): Subscription[] {
    return this.items.map((s) => ({ ...s, eventTriggers: [...s.eventTriggers] }));
  }

  get(id: string): Subscription | undefined {
    return this.items.find((s) => s.id === id);
  }

  /** The active subscriptions that want `trigger`. */
  subscribersOf(trigger: string): Subscription[] {
    return this.items.filter((s) => s.active && s.eventTriggers.includes(trigger));
  }

  /** `keep`: configured, not runtime — a reset keeps it (as the account settings page would). */
  add(spec: WebhookSeed & { payloadTemplate?: string | null }, userId: number | null = null, opts: { keep?: boolean } = {}): Subscription {
    if (this.rules.max !== undefined && this.items.length >= this.rules.max) {
      throw conflict(`At most ${this.rules.max} webhook URLs can be registered.`);
    }
    const sub = this.build(randomUUID(), userId, spec, spec.secret === undefined ? randomSecret() : spec.secret);
    this.items.push(sub);
    if (opts.keep) this.seeded.push({ ...sub, eventTriggers: [...sub.eventTriggers] });
    return { ...sub };
  }

  update(id: string, patch: Partial<Pick<Subscription, 'subscriberUrl' | 'secret' | 'eventTriggers' | 'active' | 'payloadTemplate'>>): Subscription {
    const sub = this.get(id);
    if (!sub) throw notFound(`No webhook ${id}.`);
    if (patch.eventTriggers) this.checkTriggers(patch.eventTriggers);
    Object.assign(sub, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    return { ...sub };
  }

  remove(id: string): Subscription {
    const sub = this.get(id);
    if (!sub) throw notFound(`No webhook ${id}.`);
    this.items = this.items.filter((s) => s !== sub);
    return sub;
  }

  checkTriggers(triggers: string[]): void {
    const unknown = triggers.filter((t) => !this.rules.triggers.includes(t));
    if (unknown.length) {
      throw invalidField('eventTriggers', `unknown trigger ${unknown.join(', ')}; one of ${this.rules.triggers.join(', ')}`);
    }
  }

  private build(id: string, userId: number | null, spec: WebhookSeed & { payloadTemplate?: string | null }, secret: string | null): Subscription {
    const eventTriggers = [...new Set(spec.eventTriggers ?? this.rules.defaultTriggers)];
    this.checkTriggers(eventTriggers);
    return {
      id,
      userId,
      subscriberUrl: spec.subscriberUrl,
      secret,
      eventTriggers,
      active: spec.active ?? true,
      payloadTemplate: spec.payloadTemplate ?? null,
      createdAt: new Date().toISOString(),
    };
  }
}
