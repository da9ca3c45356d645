/**
 * One error handler for the whole HTTP surface: every 4xx/5xx is JSON
 * `{"error":{"code","message","details?"}}`. Internal errors are logged with
 * their stack and answered without it.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SpokesError, ValidationError, type ErrorDetail } from '../errors.ts';
import { isConnectionError } from '../db/pg-connections.ts';
import { findUnstorableText } from '../db/storable-text.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttpError(err);
    if (status === 503 && isConnectionError(err)) request.log.warn({ err: (err as Error).message }, 'request failed: the database is unavailable');
    else if (status >= 500) request.log.error({ err }, 'request failed');
    // The code and the fields, not the message: it may quote what the caller sent (a phone number, an e-mail address).
    else request.log.info({ code: body.error.code, status, fields: body.error.details?.map((d) => d.field) }, 'request refused');
    void reply.status(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } } satisfies ErrorBody);
  });
}

export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof z.ZodError) return toHttpError(zodToValidation(err));
  if (err instanceof SpokesError) {
    const status = err.status >= 400 ? err.status : 500;
    const message =
      status >= 500 && !(err.code.startsWith('remote_') || err.code === 'secret_key_mismatch' || err.code === 'starting') ? 'internal error' : err.message;
    return {
      status,
      body: {
        error: { code: status >= 500 && message === 'internal error' ? 'internal' : err.code, message, ...(err.details ? { details: err.details } : {}) },
      },
    };
  }
  // The database dropped the connection or is restarting: the pool reconnects, the client may simply try again.
  if (isConnectionError(err)) {
    return { status: 503, body: { error: { code: 'remote_unavailable', message: 'The database is unavailable right now. Try again in a moment.' } } };
  }
  const fe = err as FastifyError;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, body too large, unsupported media type…
    const code =
      fe.statusCode === 413
        ? 'payload_too_large'
        : fe.statusCode === 415
          ? 'unsupported_media_type'
          : fe.statusCode === 429
            ? 'too_many_requests'
            : 'validation_failed';
    return { status: fe.statusCode, body: { error: { code, message: fe.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

/** A zod failure becomes a ValidationError naming each offending field (`body.clientId`). */
export function zodToValidation(err: z.ZodError, prefix?: string): ValidationError {
  const details = err.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || (prefix ?? 'body'), message: i.message }));
  return new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
}

/** Parses request input with a zod schema, naming the failing field under `where` (body, query, params). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  // Text PostgreSQL cannot store (a NUL, a lone surrogate: `?q=%00`, a webhook's JSON escapes) is refused here, by name.
  const bad = findUnstorableText(value, where);
  if (bad) throw new ValidationError(`${bad.field}: ${bad.message}`, [bad]);
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw zodToValidation(result.error, where);
  return result.data;
}
