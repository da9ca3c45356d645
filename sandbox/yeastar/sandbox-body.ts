import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ValidationError } from './control-errors.ts';

/**
 * Parses a /sandbox control body with its zod schema; a bad body is a 400
 * `{error:{code:"validation_failed", message, details:[{field, message}]}}` naming each field.
 */
export function parseControlBody<S extends z.ZodType>(request: FastifyRequest, schema: S): z.infer<S> {
  const raw = typeof request.body === 'string' ? request.body.trim() : '';
  let value: unknown = {};
  if (raw !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ValidationError('The body is not valid JSON.', [{ field: 'body', message: 'invalid JSON' }]);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.join('.') || 'body',
      message: i.message,
    }));
    throw new ValidationError(`Invalid ${details.map((d) => d.field).join(', ')}: ${details[0].message}`, details);
  }
  return parsed.data;
}
