import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

/**
 * A bad `/sandbox/*` request: 4xx `{error:{code, message, details?}}` (Spokes' error
 * shape, never the Open API's) naming each field.
 */
export class ControlError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details?: Array<{ field: string; message: string }>;

  constructor(statusCode: number, code: string, message: string, details?: Array<{ field: string; message: string }>) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }

  body(): Record<string, unknown> {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function controlNotFound(message: string): ControlError {
  return new ControlError(404, 'not_found', message);
}

export function controlInvalid(field: string, message: string): ControlError {
  return new ControlError(400, 'validation_failed', `Invalid ${field}: ${message}`, [{ field, message }]);
}

/** Parses a control body (raw text) with its zod schema; an empty body is `{}`. */
export function parseControlBody<S extends z.ZodType>(request: FastifyRequest, schema: S): z.infer<S> {
  const raw = typeof request.body === 'string' ? request.body.trim() : '';
  let value: unknown = {};
  if (raw !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ControlError(400, 'validation_failed', 'The body is not valid JSON.', [{ field: 'body', message: 'invalid JSON' }]);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.join('.') || 'body',
      message: i.message,
    }));
    throw new ControlError(400, 'validation_failed', `Invalid ${details.map((d) => d.field).join(', ')}: ${details[0].message}`, details);
  }
  return parsed.data;
}
