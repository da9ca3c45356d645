import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERR, YeastarApiError, invalid, ok, required } from '../errcodes.ts';
import type { YeastarContext } from '../context.ts';

export const API_PREFIX = '/openapi/v1.0';

export interface ApiRequest {
  query: Record<string, string | undefined>;
  /** The parsed JSON body ({} for GET); a non-JSON body is rejected with 40001 first. */
  body: Record<string, unknown>;
  ip: string;
  accessToken: string | undefined;
  request: FastifyRequest;
}

/**
 * Registers one OpenAPI endpoint. The route answers both GET and POST so that
 * the wrong one gets the PBX's answer, 10001 INTERFACE NOT EXISTED (public
 * clients report POST extension/list → 10001 [3P]), rather than Fastify's 404.
 */
export function defineApi(
  app: FastifyInstance,
  ctx: YeastarContext,
  def: {
    path: string;
    method: 'GET' | 'POST';
    /** Whether `?access_token=` must be valid (every endpoint but get_token / refresh_token). */
    auth?: boolean;
    handler: (req: ApiRequest) => Record<string, unknown> | Promise<Record<string, unknown>>;
  },
): void {
  app.route({
    method: ['GET', 'POST'],
    url: `${API_PREFIX}/${def.path}`,
    handler: async (request, reply) => {
      if (request.method !== def.method) throw new YeastarApiError(ERR.INTERFACE_NOT_EXISTED);
      const query = flattenQuery(request.query);
      const accessToken = query.access_token;
      if (def.auth !== false && !ctx.tokens.isValid(accessToken)) throw new YeastarApiError(ERR.TOKEN_EXPIRED);
      const body = def.method === 'POST' ? jsonBody(request) : {};
      const result = await def.handler({ query, body, ip: clientIp(request), accessToken, request });
      return reply.send(ok(result));
    },
  });
}

export function flattenQuery(raw: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  }
  return out;
}

/** Bodies are kept raw by the content-type parser (app.ts) and parsed here, so bad JSON is 40001. */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = typeof request.body === 'string' ? request.body.trim() : '';
  if (raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new YeastarApiError(ERR.PARAMETER_SYNTAX_ERROR);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new YeastarApiError(ERR.PARAMETER_SYNTAX_ERROR);
  return parsed as Record<string, unknown>;
}

/**
 * The caller's IP for the failed-login block. `X-Sandbox-Client-Ip` lets a test
 * play several clients from 127.0.0.1; the real PBX of course has no such header.
 */
export function clientIp(request: FastifyRequest): string {
  const override = request.headers['x-sandbox-client-ip'];
  return typeof override === 'string' && override !== '' ? override : request.ip;
}

// ---- parameter readers: each failure is a 40002 naming the field, as the PBX does ----

export function requireString(source: Record<string, unknown>, field: string): string {
  const v = source[field];
  if (v === undefined || v === null || v === '') throw required(field);
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(field, JSON.stringify(v));
  return String(v);
}

export function optionalString(source: Record<string, unknown>, field: string): string | undefined {
  const v = source[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(field, JSON.stringify(v));
  return String(v);
}

export function requireId(source: Record<string, unknown>, field = 'id'): number {
  const raw = source[field];
  if (raw === undefined || raw === null || raw === '') throw required(field);
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw invalid(field, raw);
  return n;
}

export function idList(source: Record<string, unknown>, field: string): number[] | undefined {
  const raw = source[field];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || !raw.every((x) => Number.isInteger(x) && x > 0)) throw invalid(field, JSON.stringify(raw));
  return [...new Set(raw as number[])];
}

export interface Paging {
  page: number;
  pageSize: number;
  sortBy: string;
  orderBy: 'asc' | 'desc';
}

/** page / page_size (max and default 10,000: "Query CDR List", "Search Specific Company Contacts"), sort_by, order_by. */
export function paging(query: Record<string, string | undefined>, sortable: string[], defaultSort = 'id'): Paging {
  const num = (field: string, dflt: number, max: number) => {
    const raw = query[field];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw invalid(field, raw);
    return n;
  };
  const sortBy = query.sort_by ?? defaultSort;
  if (!sortable.includes(sortBy)) throw invalid('sort_by', sortBy);
  const orderBy = query.order_by ?? 'asc';
  if (orderBy !== 'asc' && orderBy !== 'desc') throw invalid('order_by', orderBy);
  return { page: num('page', 1, 1_000_000), pageSize: num('page_size', 10_000, 10_000), sortBy, orderBy };
}

/** Sorts and slices rows into the list envelope's `total_number` + `data`. */
export function pageOf<T extends Record<string, unknown>>(rows: T[], p: Paging): { total_number: number; data: T[] } {
  const sorted = [...rows].sort((a, b) => {
    const x = a[p.sortBy] as string | number;
    const y = b[p.sortBy] as string | number;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return p.orderBy === 'asc' ? c : -c;
  });
  const start = (p.page - 1) * p.pageSize;
  return { total_number: rows.length, data: sorted.slice(start, start + p.pageSize) };
}

export { ok };
