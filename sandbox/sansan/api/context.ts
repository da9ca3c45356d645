import type { FastifyRequest } from 'fastify';
import type { SansanLimits, ResolvedOptions, SansanUser } from '../options.ts';
import type { TenantState } from '../model/tenant.ts';

/** Everything the API routes and controls work on; `state` is replaced by reset and seed. */
export interface ApiContext {
  state: TenantState;
  options: ResolvedOptions;
  limits: SansanLimits;
  /** The API user of each authenticated request (set by the auth hook). */
  users: WeakMap<FastifyRequest, SansanUser>;
  /** http://127.0.0.1:<port>, set once the sandbox listens. */
  baseUrl: string;
}

export function apiUser(ctx: ApiContext, request: FastifyRequest): SansanUser {
  const user = ctx.users.get(request);
  if (!user) throw new Error('API route reached without an authenticated user');
  return user;
}
