import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BookingContext } from '../core/app.ts';
import type { DbHost } from '../core/booking-store.ts';

/**
 * The Cal.com API v2 envelope and authentication (calcom/cal.com apps/api/v2):
 * success `{"status":"success","data":…}`; errors from HttpExceptionFilter
 * (src/filters/http-exception.filter.ts):
 * `{"status":"error","timestamp","path","error":{"code":<exception class>,"message","details":<response>}}`.
 * Authentication is `Authorization: Bearer <API key>` (ApiAuthStrategy, src/modules/auth/strategies/api-auth).
 */
const EXCEPTIONS: Record<number, [string, string]> = {
  400: ['BadRequestException', 'Bad Request'],
  401: ['UnauthorizedException', 'Unauthorized'],
  403: ['ForbiddenException', 'Forbidden'],
  404: ['NotFoundException', 'Not Found'],
  409: ['ConflictException', 'Conflict'],
  500: ['InternalServerErrorException', 'Internal Server Error'],
};

export class CalApiError extends Error {
  readonly statusCode: number;
  /** class-validator messages of a 400 (details.message is then an array). */
  readonly messages?: string[];

  constructor(statusCode: number, message: string, messages?: string[]) {
    super(message);
    this.statusCode = statusCode;
    this.messages = messages;
  }
}

export function calApiErrorBody(status: number, message: string, request: FastifyRequest, messages?: string[]) {
  const [code, error] = EXCEPTIONS[status] ?? EXCEPTIONS[500];
  return {
    status: 'error',
    timestamp: new Date().toISOString(),
    path: request.url,
    error: { code, message, details: { message: messages ?? message, error, statusCode: status } },
  };
}

// ApiAuthStrategy's messages; X_CAL_SECRET_KEY / X_CAL_CLIENT_ID are "x-cal-secret-key" / "x-cal-client-id".
const NO_AUTH =
  "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers";

/** The user behind the request's API key, or a 401 in Cal.com's words. */
export function authenticate(request: FastifyRequest, ctx: BookingContext): DbHost {
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? header.replace('Bearer ', '') : '';
  if (!token) throw new CalApiError(401, NO_AUTH);
  // isApiKey(): a bearer token starting with the key prefix "cal_" is an API key, anything else an OAuth access token.
  if (!token.startsWith('cal_')) throw new CalApiError(401, 'ApiAuthStrategy - access token - Invalid Access Token');
  if (token !== ctx.options.apiKey) throw new CalApiError(401, 'ApiAuthStrategy - api key - Your api key is not valid');
  return ctx.store.hosts[0];
}

/** Whether a request carries any credentials (GET /v2/event-types takes them optionally). */
export const hasCredentials = (request: FastifyRequest) => typeof request.headers.authorization === 'string';

export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = typeof request.body === 'string' ? request.body.trim() : '';
  if (raw === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // body-parser's error, rendered by Nest as a 400.
    throw new CalApiError(400, `Unexpected token in JSON at position 0`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CalApiError(400, 'Bad Request Exception', ['body must be an object']);
  return value as Record<string, unknown>;
}

export const success = (data: unknown) => ({ status: 'success', data });

/** The API-level faults: delays and 5xx pages from the load balancer, before authentication. */
export function registerApiFaults(app: FastifyInstance, ctx: BookingContext, isApiPath: (url: string) => boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    const { apiDelayMs } = ctx.faults.current;
    if (apiDelayMs) await new Promise((r) => setTimeout(r, apiDelayMs));
    const status = ctx.faults.takeApiError();
    if (status !== undefined) return reply.code(status).type('text/html').send(`<html><body><h1>${status}</h1></body></html>`);
  });
}
