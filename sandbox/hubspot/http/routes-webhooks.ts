/**
 * Webhooks v3 settings and subscriptions per app (reference §10), with the developer
 * API key. Delivery itself lives in `webhooks/dispatcher.ts`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound, validationError } from '../errors.ts';
import type { SandboxApp, WebhookSubscription } from '../model/sandbox-state.ts';
import { formatTimestamp } from '../time-format.ts';
import { authenticateDeveloper } from './auth.ts';
import { bodyObject, type SandboxContext } from './context.ts';
import { batchBody, inputsOf, standardError } from './routes-objects-batch.ts';

const VERBS = ['creation', 'deletion', 'propertyChange', 'associationChange', 'merge', 'restore'];
/** §10: the event types of `SubscriptionCreateRequest.eventType` this emulator knows. */
export const EVENT_TYPES = [
  ...['contact', 'company', 'deal', 'object'].flatMap((prefix) => VERBS.map((verb) => `${prefix}.${verb}`)),
  'contact.privacyDeletion',
];

const settingsSchema = z
  .object({
    targetUrl: z.string().url(),
    throttling: z.object({ maxConcurrentRequests: z.number().int().min(1), period: z.string().optional() }).passthrough(),
  })
  .passthrough();

const subscriptionSchema = z
  .object({
    eventType: z.string(),
    propertyName: z.string().min(1).optional(),
    objectTypeId: z.string().optional(),
    active: z.boolean().optional(),
  })
  .passthrough();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw validationError(`Invalid input JSON: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

export function subscriptionBody(s: WebhookSubscription): Record<string, unknown> {
  return {
    id: String(s.id),
    eventType: s.eventType,
    ...(s.propertyName ? { propertyName: s.propertyName } : {}),
    ...(s.objectTypeId ? { objectTypeId: s.objectTypeId } : {}),
    active: s.active,
    createdAt: formatTimestamp(s.createdAt),
    updatedAt: formatTimestamp(s.updatedAt),
  };
}

function settingsBody(app: SandboxApp): Record<string, unknown> {
  const s = app.webhookSettings!;
  return {
    targetUrl: s.targetUrl,
    throttling: { maxConcurrentRequests: s.maxConcurrentRequests, ...(s.period ? { period: s.period } : {}) },
    createdAt: formatTimestamp(s.createdAt),
    updatedAt: formatTimestamp(s.updatedAt),
  };
}

export function registerWebhookRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  type P = { Params: { appId: string; subscriptionId: string } };
  const dev = (request: FastifyRequest<P>): SandboxApp => authenticateDeveloper(ctx.state, request, request.params.appId)!;
  const now = () => ctx.state.clock.now();
  const find = (target: SandboxApp, id: string): WebhookSubscription => {
    const found = target.subscriptions.find((s) => String(s.id) === id);
    if (!found) throw notFound(`Subscription ${id} not found for app ${target.appId}.`);
    return found;
  };

  app.get<P>('/webhooks/v3/:appId/settings', async (request) => {
    const target = dev(request);
    if (!target.webhookSettings) throw notFound(`No webhook settings found for app ${target.appId}.`);
    return settingsBody(target);
  });

  app.put<P>('/webhooks/v3/:appId/settings', async (request) => {
    const target = dev(request);
    const input = parse(settingsSchema, request.body);
    target.webhookSettings = {
      targetUrl: input.targetUrl,
      maxConcurrentRequests: input.throttling.maxConcurrentRequests,
      period: input.throttling.period,
      createdAt: target.webhookSettings?.createdAt ?? now(),
      updatedAt: now(),
    };
    ctx.state.touch();
    return settingsBody(target);
  });

  app.delete<P>('/webhooks/v3/:appId/settings', async (request, reply) => {
    dev(request).webhookSettings = undefined;
    ctx.state.touch();
    reply.code(204).send();
  });

  app.get<P>('/webhooks/v3/:appId/subscriptions', async (request) => ({ results: dev(request).subscriptions.map(subscriptionBody) }));

  app.post<P>('/webhooks/v3/:appId/subscriptions', async (request, reply) => {
    const target = dev(request);
    const input = parse(subscriptionSchema, request.body);
    if (!EVENT_TYPES.includes(input.eventType)) throw validationError(`Unsupported eventType: ${input.eventType}`);
    if (input.eventType.endsWith('.propertyChange') && !input.propertyName) throw validationError('propertyName is required for propertyChange subscriptions.');
    if (input.eventType.startsWith('object.') && !input.objectTypeId) throw validationError('objectTypeId is required for object.* subscriptions.');
    const subscription: WebhookSubscription = {
      id: ctx.state.counters.nextSubscriptionId++,
      eventType: input.eventType,
      propertyName: input.propertyName,
      objectTypeId: input.objectTypeId,
      active: input.active ?? true,
      createdAt: now(),
      updatedAt: now(),
    };
    target.subscriptions.push(subscription);
    ctx.state.touch();
    reply.code(201);
    return subscriptionBody(subscription);
  });

  app.post<P>('/webhooks/v3/:appId/subscriptions/batch/update', async (request, reply) => {
    const target = dev(request);
    const startedAt = now();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputsOf(bodyObject(request), 100)) {
      const found = target.subscriptions.find((s) => s.id === Number(input.id));
      if (!found || typeof input.active !== 'boolean') {
        missing.push(String(input.id));
        continue;
      }
      found.active = input.active;
      found.updatedAt = now();
      results.push(subscriptionBody(found));
    }
    ctx.state.touch();
    const errors = missing.length > 0 ? [standardError('OBJECT_NOT_FOUND', 'Some subscriptions could not be updated.', { ids: missing })] : [];
    if (errors.length > 0) reply.code(207);
    return batchBody(startedAt, now(), results, errors);
  });

  app.get<P>('/webhooks/v3/:appId/subscriptions/:subscriptionId', async (request) => subscriptionBody(find(dev(request), request.params.subscriptionId)));

  app.patch<P>('/webhooks/v3/:appId/subscriptions/:subscriptionId', async (request) => {
    const subscription = find(dev(request), request.params.subscriptionId);
    const input = parse(z.object({ active: z.boolean().optional() }).passthrough(), request.body);
    if (input.active !== undefined) subscription.active = input.active;
    subscription.updatedAt = now();
    ctx.state.touch();
    return subscriptionBody(subscription);
  });

  app.delete<P>('/webhooks/v3/:appId/subscriptions/:subscriptionId', async (request, reply) => {
    const target = dev(request);
    const subscription = find(target, request.params.subscriptionId);
    target.subscriptions = target.subscriptions.filter((s) => s !== subscription);
    ctx.state.touch();
    reply.code(204).send();
  });
}
