/**
 * Sandbox controls, only ever under `/sandbox/*` (never on HubSpot's own paths).
 * Bad bodies answer 400 `{error:{code,message,details:[{field,message}]}}` naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ControlError } from '../errors.ts';
import { registerApp } from '../model/initial-state.ts';
import { appRegistrationSchema, seedSchema } from '../options.ts';
import { checkAccountChoice, checkAuthorizeRequest, issueCode, redirectWithParams } from '../oauth/authorization.ts';
import { seedPortal } from '../seed/seed.ts';
import type { SandboxContext } from './context.ts';
import { faultsSchema } from './faults.ts';

export interface SandboxInfo {
  system: 'hubspot';
  baseUrl: string;
  portals: Array<{ portalId: number; name: string; type: 'STANDARD' | 'DEVELOPER_TEST'; privateAppToken: string; domain: string }>;
  apps: Array<{
    appId: number;
    clientId: string;
    clientSecret: string;
    redirectUrls: string[];
    name: string;
    scopes: string[];
    optionalScopes: string[];
    developerApiKey: string;
  }>;
  developerAccount: { portalId: number; name: string; developerApiKey: string };
  users: Array<{ userId: number; email: string; firstName: string; lastName: string; portalIds: number[] }>;
}

export function sandboxInfo(ctx: SandboxContext): SandboxInfo {
  const state = ctx.state;
  return {
    system: 'hubspot',
    baseUrl: ctx.baseUrl,
    portals: [...state.portals.values()].map((p) => ({
      portalId: p.portalId,
      name: p.settings.name,
      type: p.settings.type,
      privateAppToken: p.settings.privateAppToken,
      domain: p.settings.domain,
    })),
    apps: [...state.apps.values()].map((a) => ({
      appId: a.appId,
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      redirectUrls: a.redirectUrls,
      name: a.name,
      scopes: a.scopes,
      optionalScopes: a.optionalScopes,
      developerApiKey: state.developerAccount.developerApiKey,
    })),
    developerAccount: { ...state.developerAccount },
    users: [...state.users.values()].map((u) => ({ userId: u.userId, email: u.email, firstName: u.firstName, lastName: u.lastName, portalIds: u.portalIds })),
  };
}

export function parseControl<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({ field: ['body', ...issue.path].join('.'), message: issue.message }));
  throw new ControlError(`Invalid request body: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}

export const approveSchema = z
  .object({
    clientId: z.string().min(1),
    redirectUri: z.string().min(1),
    scopes: z.array(z.string().min(1)).min(1),
    optionalScopes: z.array(z.string()).optional(),
    state: z.string().optional(),
    portalId: z.number().int(),
    userId: z.number().int().optional(),
  })
  .strict();

export type ApproveInstallInput = z.input<typeof approveSchema>;

/** The programmatic twin of "Connect app" (§1.1): same checks, same single-use code. */
export function approveInstall(ctx: SandboxContext, input: ApproveInstallInput): { redirectUrl: string; code: string } {
  const request = parseControl(approveSchema, input);
  const check = checkAuthorizeRequest(ctx.state, {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(' '),
    optionalScope: request.optionalScopes?.join(' '),
  });
  if (!check.ok) throw new ControlError(check.message, [{ field: 'body', message: check.message }]);
  const userId = request.userId ?? ctx.state.users.values().next().value!.userId;
  const problem = checkAccountChoice(ctx.state, request.portalId, userId);
  if (problem) throw new ControlError(problem, [{ field: 'body.portalId', message: problem }]);
  const code = issueCode(ctx.state, {
    app: check.app,
    portalId: request.portalId,
    userId,
    scopes: check.scopes,
    redirectUri: check.redirectUri,
    ttlSeconds: ctx.options.authCodeTtlSeconds,
  });
  return { code, redirectUrl: redirectWithParams(check.redirectUri, { code, state: request.state }) };
}

export interface ControlHooks {
  reset(): void;
}

export function registerControlRoutes(app: FastifyInstance, ctx: SandboxContext, hooks: ControlHooks): void {
  app.get('/sandbox/info', async () => sandboxInfo(ctx));

  app.post('/sandbox/seed', async (request, reply) => {
    const input = parseControl(seedSchema, request.body);
    const portalId = input.portalId ?? [...ctx.state.portals.values()].find((p) => p.settings.type === 'STANDARD')?.portalId;
    const portal = portalId !== undefined ? ctx.state.portal(portalId) : undefined;
    if (!portal) throw new ControlError(`Unknown portal ${String(input.portalId)}`, [{ field: 'body.portalId', message: 'no such portal' }]);
    reply.code(201);
    return seedPortal(ctx.state, ctx.objects, portal, input);
  });

  app.get('/sandbox/faults', async () => ctx.faults.current());
  app.post('/sandbox/faults', async (request) => {
    ctx.faults.configure(parseControl(faultsSchema, request.body));
    return ctx.faults.current();
  });

  app.post('/sandbox/apps', async (request, reply) => {
    const input = parseControl(appRegistrationSchema, request.body);
    const created = registerApp(ctx.state, input);
    reply.code(201);
    return sandboxInfo(ctx).apps.find((a) => a.appId === created.appId);
  });

  app.get('/sandbox/stats', async () =>
    ctx.stats.snapshot({
      faults: { ...ctx.faults.injected },
      webhooks: { delivered: ctx.webhooks.delivered, failedAttempts: ctx.webhooks.failedAttempts, pending: ctx.webhooks.pending },
    }),
  );

  app.post('/sandbox/reset', async () => {
    hooks.reset();
    return sandboxInfo(ctx);
  });

  app.post('/sandbox/clock', async (request) => {
    const input = parseControl(
      z.object({ advanceMs: z.number().int().min(0).optional(), advanceSeconds: z.number().int().min(0).optional() }).strict(),
      request.body,
    );
    ctx.state.clock.advance((input.advanceMs ?? 0) + (input.advanceSeconds ?? 0) * 1000);
    ctx.state.touch();
    return { now: new Date(ctx.state.clock.now()).toISOString(), offsetMs: ctx.state.clock.offset };
  });

  app.post('/sandbox/limits', async (request) => {
    const keys = Object.keys(ctx.limits) as Array<keyof typeof ctx.limits>;
    const input = parseControl(z.object(Object.fromEntries(keys.map((k) => [k, z.number().int().min(0).optional()]))).strict(), request.body) as Partial<
      typeof ctx.limits
    >;
    for (const key of keys) if (input[key] !== undefined) ctx.limits[key] = input[key]!;
    return ctx.limits;
  });

  app.post('/sandbox/oauth/approve', async (request) => approveInstall(ctx, request.body as ApproveInstallInput));

  app.post('/sandbox/uninstall', async (request) => {
    const input = parseControl(z.object({ appId: z.number().int(), portalId: z.number().int() }).strict(), request.body);
    return { uninstalled: ctx.state.uninstall(input.appId, input.portalId) };
  });

  app.get('/sandbox/webhooks/deliveries', async () => ({ results: ctx.webhooks.deliveries.slice(-200), pending: ctx.webhooks.pending }));
}
