/**
 * Yeastar P-Series PBX emulator: the OpenAPI v1.0 (REST, WebSocket events,
 * signed webhooks), a call simulator and fault injection. See docs/sandbox/yeastar.md.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { buildYeastarApp } from './app.ts';
import { dialRulesSchema, simulateCallSchema, type SimCall } from './calls/call-model.ts';
import type { SentEvent } from './events/event-bus.ts';
import { webhookSpecSchema, type Webhook, type WebhookDelivery } from './events/webhooks.ts';
import { faultsSchema, type Faults } from './faults.ts';
import type { YeastarSandboxOptions } from './options.ts';
import type { DbCdr, DbContact, DbExtension, DbPhonebook, DbRecording, DialRequestRecord } from './pbx-state.ts';
import { callSummary, simulateCall } from './sandbox-call-routes.ts';

export { buildYeastarApp } from './app.ts';
export { signWebhookBody } from './events/webhooks.ts';
export { ERR as YEASTAR_ERRORS } from './errcodes.ts';
export type { YeastarSandboxOptions, YeastarLimits, ExtensionSeed } from './options.ts';
export type { Faults, SentEvent, Webhook, WebhookDelivery, DbCdr, DbContact, DbExtension, DbPhonebook, DbRecording, DialRequestRecord };

/** `POST /sandbox/calls` body; defaults: outcome 'answered', ringSeconds 3, talkSeconds 10, manual false. */
export type SimulateCallInput = z.input<typeof simulateCallSchema>;
export type DialRulesInput = z.input<typeof dialRulesSchema>;

/** `GET /sandbox/info` (the first six fields are relied on by scripts outside the project). */
export interface YeastarSandboxInfo {
  system: 'yeastar';
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  extensions: { number: string; name: string; email: string }[];
  apiBaseUrl: string;
  websocketUrl: string;
  serialNumber: string;
  timezone: string;
}

export interface YeastarSandbox {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  app: FastifyInstance;
  info(): YeastarSandboxInfo;
  close(): Promise<void>;
  /** Same as POST /sandbox/reset: seed extensions only, no tokens, calls, contacts, webhooks or faults. */
  reset(): Promise<void>;
  /** Same as POST /sandbox/calls: starts the call and returns its call_id at once. */
  simulateCall(spec: SimulateCallInput): { call_id: string };
  /** Manual steps, as POST /sandbox/calls/{id}/answer|hangup|hold|unhold; false when not possible now. */
  answerCall(callId: string): boolean;
  hangupCall(callId: string): boolean;
  holdCall(callId: string): boolean;
  unholdCall(callId: string): boolean;
  calls(): { active: Record<string, unknown>[]; finished: Record<string, unknown>[] };
  /** How dialled numbers (call/dial callees) behave; same as POST /sandbox/dial-rules. */
  setDialRules(rules: DialRulesInput): void;
  /** Registration / presence / permissions of an extension (emits 30007 / 30009 like the control route). */
  setExtensionState(number: string, state: Partial<Pick<DbExtension, 'online' | 'presence' | 'outboundPermission' | 'answerMode'>>): Promise<DbExtension>;
  cdrs(): DbCdr[];
  recordings(): DbRecording[];
  contacts(): DbContact[];
  phonebooks(): DbPhonebook[];
  extensions(): DbExtension[];
  /** Every call/dial received, in order, with its body and the errcode answered. */
  dialRequests(): DialRequestRecord[];
  /** Every event published (before faults drop or delay delivery), oldest first. */
  events(): SentEvent[];
  /** Same as POST /sandbox/events: publishes an event as the PBX would (WebSocket and webhooks); no call or CDR is recorded. */
  publishEvent(type: number, msg: Record<string, unknown>): Promise<void>;
  /** Replaces the active faults; {} clears them. `dropWebSocket: 'now'` drops sockets immediately. */
  setFaults(faults: Faults): void;
  addWebhook(url: string, events?: number[] | 'all'): Webhook;
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves when every queued webhook delivery has been attempted. */
  webhooksIdle(): Promise<void>;
  /** Request counters (get_token, refresh_token, call/dial, …) and the number of valid access tokens. */
  counters(): { counters: Record<string, number>; validAccessTokens: number; dialRequests: number };
  /** Makes every access token (and refresh token with `includeRefresh`) expire now. */
  expireTokens(includeRefresh?: boolean): void;
  /** Removes an IP block (all blocks without `ip`). */
  unblockIp(ip?: string): void;
}

export async function startYeastarSandbox(opts: YeastarSandboxOptions = {}): Promise<YeastarSandbox> {
  const { app, ctx } = await buildYeastarApp(opts);
  await app.listen({ port: ctx.options.port, host: ctx.options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.options.port;
  const host = ctx.options.host.includes(':') ? `[${ctx.options.host}]` : ctx.options.host;
  const url = `http://${host}:${port}`;
  ctx.baseUrl = url;
  const { engine, state } = ctx;
  const step = (fn: (call: SimCall) => boolean) => (callId: string) => {
    const call = engine.find(callId);
    return call ? fn.call(engine, call) : false;
  };

  const injectJson = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url: path,
      payload: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    if (res.statusCode >= 400) throw new Error(`${method} ${path} → ${res.statusCode} ${res.body}`);
    return res.json();
  };

  return {
    url,
    port,
    app,
    info: () => ({
      system: 'yeastar',
      baseUrl: url,
      clientId: ctx.options.clientId,
      clientSecret: ctx.options.clientSecret,
      webhookSecret: ctx.options.webhookSecret,
      extensions: state.extensions.map((e) => ({ number: e.number, name: e.name, email: e.email })),
      apiBaseUrl: `${url}/openapi/v1.0`,
      websocketUrl: `${url.replace(/^http/, 'ws')}/openapi/v1.0/subscribe`,
      serialNumber: ctx.options.serialNumber,
      timezone: ctx.options.timezone,
    }),
    close: async () => {
      await app.close();
    },
    reset: async () => {
      await injectJson('POST', '/sandbox/reset');
    },
    simulateCall: (spec) => ({ call_id: simulateCall(ctx, simulateCallSchema.parse(spec)).id }),
    answerCall: step(engine.answer),
    hangupCall: step(engine.hangup),
    holdCall: step((c) => engine.hold(c)),
    unholdCall: step((c) => engine.unhold(c)),
    calls: () => ({ active: [...engine.active.values()].map(callSummary), finished: engine.finished.map(callSummary) }),
    setDialRules: (rules) => ctx.dialPlan.configure(dialRulesSchema.parse(rules)),
    setExtensionState: (number, s) => injectJson('POST', `/sandbox/extensions/${encodeURIComponent(number)}/state`, s),
    cdrs: () => [...state.cdrs],
    recordings: () => [...state.recordings],
    contacts: () => [...state.contacts],
    phonebooks: () => [...state.phonebooks],
    extensions: () => [...state.extensions],
    dialRequests: () => [...state.dialRequests],
    events: () => [...ctx.bus.history],
    publishEvent: async (type, msg) => {
      await injectJson('POST', '/sandbox/events', { type, msg });
    },
    setFaults: (faults) => {
      const parsed = faultsSchema.parse(faults);
      ctx.faults.set(parsed);
      if (parsed.dropWebSocket === 'now') ctx.bus.dropAll();
    },
    addWebhook: (hookUrl, events) => {
      const hook = ctx.webhooks.add(webhookSpecSchema.parse({ url: hookUrl, events }));
      if (!hook) throw new Error(`The PBX accepts at most ${ctx.options.limits.maxWebhooks} webhooks.`);
      return hook;
    },
    webhookDeliveries: () => [...ctx.webhooks.deliveries],
    webhooksIdle: () => ctx.webhooks.idle(),
    counters: () => ({
      counters: Object.fromEntries(state.counters),
      validAccessTokens: ctx.tokens.validAccessTokenCount(),
      dialRequests: state.dialRequests.length,
    }),
    expireTokens: (includeRefresh = false) => ctx.tokens.expireAll(includeRefresh),
    unblockIp: (ip) => ctx.tokens.unblock(ip),
  };
}
