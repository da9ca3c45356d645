/**
 * What every route module receives: the state, services and per-request helpers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CrmEvents } from '../crm/events.ts';
import type { ObjectService } from '../crm/object-service.ts';
import { validationError } from '../errors.ts';
import type { SandboxLimits } from '../manifest.ts';
import { resolveObjectType, type ObjectTypeName } from '../model/object-types.ts';
import type { SandboxState } from '../model/sandbox-state.ts';
import type { ResolvedOptions } from '../options.ts';
import type { WebhookDispatcher } from '../webhooks/dispatcher.ts';
import { authenticate, requireScopes, type AuthInfo, type ScopeRule } from './auth.ts';
import type { FaultInjector } from './faults.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { Stats } from './stats.ts';

export interface SandboxContext {
  state: SandboxState;
  options: ResolvedOptions;
  limits: SandboxLimits;
  objects: ObjectService;
  events: CrmEvents;
  rateLimiter: RateLimiter;
  faults: FaultInjector;
  stats: Stats;
  webhooks: WebhookDispatcher;
  logger: Logger;
  /** Who made each request, for stats. */
  requestAuth: WeakMap<FastifyRequest, AuthInfo>;
  /** The origin clients reach the emulator at (set once listening). */
  baseUrl: string;
}

export interface GuardOptions {
  scopes: ScopeRule;
  /** Search calls use the per-second bucket and send no rate-limit headers (§3, §8). */
  search?: boolean;
}

/** Authenticates, checks scopes and spends rate-limit budget for one API call. */
export function guard(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply, options: GuardOptions): AuthInfo {
  const auth = authenticate(ctx.state, request);
  ctx.requestAuth.set(request, auth);
  requireScopes(auth, options.scopes);
  if (options.search) ctx.rateLimiter.checkSearch(auth);
  else reply.headers(ctx.rateLimiter.checkGeneral(auth));
  return auth;
}

/** Resolves an `{objectType}` path segment or answers HubSpot's 400 for unknown types. */
export function objectTypeParam(segment: string): ObjectTypeName {
  const type = resolveObjectType(segment);
  if (!type) throw validationError(`Unable to infer object type from: ${segment}`);
  return type;
}

export function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

export function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw validationError('Invalid input JSON: expected an object');
  return body as Record<string, unknown>;
}

export function booleanParam(value: unknown): boolean {
  return value === true || value === 'true';
}
