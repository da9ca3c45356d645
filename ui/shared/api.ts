/**
 * The browser side of Spokes' HTTP API: JSON in and out, the CSRF token on
 * every mutation, and every failure turned into an ApiError whose `message`
 * can be shown to the admin as it is.
 */
import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  readonly retryAfterSeconds?: number;
  constructor(status: number, code: string, message: string, details: FieldError[] = [], retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Field errors by the field's last name (`body.clientId` → `clientId`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      const name = d.field.split('.').pop() ?? d.field;
      out[name] ??= sentence(d.message);
    }
    return out;
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any request answers 401: the session ended (expired, signed out elsewhere). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  opts: { body?: unknown; schema?: z.ZodType<T>; quietUnauthorized?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Spokes did not answer. Check that it is running and that you are online, then try again.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quietUnauthorized) for (const l of unauthorizedListeners) l();
    throw toApiError(res.status, json);
  }
  if (!opts.schema) return json as T;
  const parsed = opts.schema.safeParse(json);
  if (!parsed.success) {
    // A contract drift between this page and the server: say so rather than render garbage.
    console.error(`Unexpected answer from ${method} ${path}`, parsed.error.issues);
    throw new ApiError(
      res.status,
      'unexpected_response',
      'Spokes sent an answer this page does not understand. Reload the page; if it persists, the server and the page are from different versions.',
    );
  }
  return parsed.data;
}

function toApiError(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown; retryAfterSeconds?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') {
    const details = Array.isArray(error.details)
      ? error.details.filter((d): d is FieldError => typeof d?.field === 'string' && typeof d?.message === 'string')
      : [];
    return new ApiError(
      status,
      typeof error.code === 'string' ? error.code : 'unknown',
      sentence(error.message),
      details,
      typeof error.retryAfterSeconds === 'number' ? error.retryAfterSeconds : undefined,
    );
  }
  if (status >= 500) return new ApiError(status, 'internal', 'Spokes hit an internal error. Try again; if it keeps happening, check the server logs.');
  return new ApiError(status, 'unknown', `The request failed (HTTP ${status}).`);
}

/** A server message as a sentence: capital first letter, closing full stop ("required" → "Required."). */
export function sentence(message: string): string {
  const s = message.trim();
  if (!s) return s;
  const first = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Something went wrong in this page. Reload and try again.';
}
