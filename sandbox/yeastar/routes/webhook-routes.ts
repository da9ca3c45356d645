import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { ERR, YeastarApiError, invalid, required } from '../errcodes.ts';
import type { WebhookSpec } from '../events/webhooks.ts';
import { defineApi } from './api-kit.ts';

/**
 * webhook/query and webhook/update ("Query / Update Webhook Event Push Settings",
 * help.yeastar.com/zh-cn/p-series-cloud-edition/developer-guide/query-webhook-event-push-settings.html
 * and …/p-series-appliance-edition/developer-guide/update-webhook-event-push-settings.html) [C].
 * Older firmware answers 10001 to both (a public integrator's report); the emulator follows the
 * current guide.
 */

/** `webhook_event_ids` of the vendor's query example: the events a webhook may carry. */
const WEBHOOK_EVENT_IDS = [
  30005, 30006, 30007, 30008, 30009, 30010, 30011, 30012, 30013, 30014, 30015, 30016, 30017, 30018, 30019, 30020, 30022, 30023, 30024, 30025, 30026, 30027,
  30028, 30029, 30030, 30031, 30032, 30033,
];

function intInRange(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw invalid(field, JSON.stringify(v));
  return v as number;
}

function parseEntry(raw: unknown, defaultSecret: string): WebhookSpec {
  const e = (raw ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('webhook_event_push_list', JSON.stringify(raw));
  if (e.url === undefined || e.url === '') throw required('url');
  if (typeof e.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(e.url)) throw invalid('url', String(e.url));
  if (e.secret !== undefined && (typeof e.secret !== 'string' || e.secret === '')) throw invalid('secret', String(e.secret));
  const method = e.request_method ?? 'POST';
  // GET delivery carries no documented encoding of the event, so the emulator does not offer it [U].
  if (method !== 'POST') throw invalid('request_method', String(method));
  const ids = e.event_ids;
  if (ids === undefined) throw required('event_ids');
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => WEBHOOK_EVENT_IDS.includes(id as number))) {
    throw invalid('event_ids', JSON.stringify(ids));
  }
  return { url: e.url, method: 'POST', events: [...new Set(ids as number[])], secret: (e.secret as string | undefined) ?? defaultSecret };
}

export function registerWebhookRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const { webhooks } = ctx;

  defineApi(app, ctx, {
    path: 'webhook/query',
    method: 'GET',
    handler: () => {
      const hooks = webhooks.list();
      return {
        data: {
          // The web UI's "Webhook Event Push" checkbox; here: on while a webhook is configured [U].
          enb_webhook_event_push: hooks.length > 0 ? 1 : 0,
          webhook_event_push_list: hooks.map((h) => ({
            url: h.url,
            secret: h.secret,
            request_method: h.method,
            event_ids: h.events === 'all' ? WEBHOOK_EVENT_IDS : h.events,
          })),
          webhook_event_push_timeout: webhooks.settings.timeoutSec,
          webhook_event_push_retry_count: webhooks.settings.retryCount,
          webhook_event_ids: WEBHOOK_EVENT_IDS,
        },
      };
    },
  });

  // The list replaces the configured webhooks as a whole; timeout 3–10 s, retry count 1–5 [C].
  defineApi(app, ctx, {
    path: 'webhook/update',
    method: 'POST',
    handler: ({ body }) => {
      const list = body.webhook_event_push_list;
      if (list === undefined) throw required('webhook_event_push_list');
      if (!Array.isArray(list)) throw invalid('webhook_event_push_list', JSON.stringify(list));
      // "Support adding up to 5 Webhooks" [C]; the errcode for a 6th is not documented [U].
      if (list.length > webhooks.max) throw new YeastarApiError(ERR.MAX_LIMITATION_EXCEEDED);
      const specs = list.map((e) => parseEntry(e, ctx.options.webhookSecret));
      const timeoutSec = intInRange(body, 'webhook_event_push_timeout', 3, 10);
      const retryCount = intInRange(body, 'webhook_event_push_retry_count', 1, 5);
      webhooks.replace(specs, { ...(timeoutSec !== undefined ? { timeoutSec } : {}), ...(retryCount !== undefined ? { retryCount } : {}) });
      return {};
    },
  });
}
