import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

/**
 * Errors of the /sandbox/* controls, rendered as `{"error":{"code","message","details?"}}`
 * (the same shape as Spokes' API). The booking emulators import nothing from src/, so they
 * keep their own small catalogue.
 */
export class ControlError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: { field: string; message: string }[];

  constructor(status: number, code: string, message: string, details?: { field: string; message: string }[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  body(): { error: { code: string; message: string; details?: { field: string; message: string }[] } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const invalidField = (field: string, message: string) =>
  new ControlError(400, 'validation_failed', `Invalid ${field}: ${message}`, [{ field, message }]);
export const notFound = (message: string) => new ControlError(404, 'not_found', message);
export const conflict = (message: string) => new ControlError(409, 'conflict', message);

/**
 * Parses a control body (kept as a raw string by the app's content-type parser) with its
 * zod schema; a bad body is a 400 naming each field.
 */
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
