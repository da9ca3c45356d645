/**
 * The closed catalogue of errors Spokes raises. Every error has a stable `code`
 * (rendered on the wire as `{"error":{"code","message","details?"}}`), an HTTP
 * status for the web layer, and `retryable` for the job runner: a retryable
 * error is retried with backoff, anything else goes straight to the dead letters.
 */
import { z } from 'zod';

export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'csrf_failed'
  | 'too_many_requests'
  | 'not_connected'
  /** Telephony agent sign-in: the HubSpot user has no PBX extension, or the widget runs in another HubSpot account. */
  | 'not_bound'
  | 'wrong_portal'
  /** Telephony: the PBX would not place the call (busy, offline phone, no permission…). */
  | 'dial_failed'
  | 'auth_expired'
  | 'remote_rate_limited'
  | 'remote_unavailable'
  | 'remote_rejected'
  | 'config_invalid'
  /** A part of Spokes is still starting (the sandbox emulators): ask again in a moment. */
  | 'starting'
  | 'secret_key_mismatch'
  | 'internal';

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `body.clientId` or `SPOKES_PORT`. */
  field?: string;
  message: string;
}

export class SpokesError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: ErrorDetail[];

  constructor(code: ErrorCode, message: string, opts: { status?: number; retryable?: boolean; details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SpokesError';
    this.code = code;
    this.status = opts.status ?? 500;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }
}

export class ValidationError extends SpokesError {
  constructor(message: string, details?: ErrorDetail[]) {
    super('validation_failed', message, { status: 400, details });
  }
}

export class NotFoundError extends SpokesError {
  constructor(message: string) {
    super('not_found', message, { status: 404 });
  }
}

export class ConflictError extends SpokesError {
  constructor(message: string) {
    super('conflict', message, { status: 409 });
  }
}

export class UnauthorizedError extends SpokesError {
  constructor(message = 'Sign in first.') {
    super('unauthorized', message, { status: 401 });
  }
}

export class NotConnectedError extends SpokesError {
  constructor(message: string) {
    super('not_connected', message, { status: 409 });
  }
}

/**
 * The remote system refused our credentials: the admin must reconnect. Retryable for
 * jobs, which wait (paused, not dropped) until the connection is repaired.
 */
export class AuthExpiredError extends SpokesError {
  constructor(message: string, cause?: unknown) {
    super('auth_expired', message, { status: 409, retryable: true, cause });
  }
}

/** The remote system asked us to slow down; `retryAfterMs` says for how long. */
export class RemoteRateLimitedError extends SpokesError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, cause?: unknown) {
    super('remote_rate_limited', message, { status: 503, retryable: true, cause });
    this.retryAfterMs = retryAfterMs;
  }
}

/** Network failure, timeout or 5xx from a remote system: worth retrying. */
export class RemoteUnavailableError extends SpokesError {
  constructor(message: string, cause?: unknown) {
    super('remote_unavailable', message, { status: 502, retryable: true, cause });
  }
}

/** The remote system answered with a definite "no" (4xx): retrying will not help. */
export class RemoteRejectedError extends SpokesError {
  readonly remoteStatus?: number;
  /** The remote system's error body, parsed, for callers that act on it (e.g. HubSpot's 409 "Existing ID"). */
  readonly remoteBody?: unknown;
  constructor(message: string, remoteStatus?: number, cause?: unknown, remoteBody?: unknown) {
    super('remote_rejected', message, { status: 502, cause });
    this.remoteStatus = remoteStatus;
    this.remoteBody = remoteBody;
  }
}

export class ConfigError extends SpokesError {
  constructor(message: string, details?: ErrorDetail[]) {
    super('config_invalid', message, { status: 500, details });
  }
}

/**
 * Whether the job runner should try again. Unknown errors (bugs, crashes, a lost database connection) are
 * retried too: they may be transient. A database refusing the data itself is not (the same write fails the
 * same way a day later): it goes to the dead letters at once, visible in `spokes status`.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof SpokesError) return err.retryable;
  if (err instanceof z.ZodError) return false;
  return !isPermanentDatabaseError(err);
}

/** The SQLSTATE of a database error (PostgreSQL or PGlite), wrapped by Drizzle (`cause`) or not: `22003`, `23505`… */
export function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && severity !== undefined) return code;
  }
  return undefined;
}

/**
 * A write the database refuses because of its data (PostgreSQL appendix A "Error Codes"): class 22 (data
 * exception: a number out of range 22003, text it cannot store 22021/22P05…), 23502 (not null), 23514 (check),
 * class 54 (program limit, e.g. a value too large for an index). Not 23505/23503 (a race with another writer
 * can resolve), class 40 (serialization, deadlock) or 42 (a statement newer than the schema during a deploy).
 */
export function isPermanentDatabaseError(err: unknown): boolean {
  const code = sqlState(err);
  return !!code && (code.startsWith('22') || code === '23502' || code === '23514' || code.startsWith('54'));
}

/**
 * An error's message safe to log and to keep (a dead letter's output): a database error names its SQLSTATE,
 * its reason and the statement, never the statement's parameters — Drizzle's "Failed query: … params: …" and
 * the driver's `where`/`detail` carry the phone numbers, names and e-mail addresses being written.
 */
export function safeErrorMessage(err: unknown): string {
  if (!(err instanceof Error)) return redactPersonalData(String(err));
  const query = (err as { query?: unknown }).query;
  if (err.message.startsWith('Failed query:') || (typeof query === 'string' && sqlState(err))) {
    const cause = err.message.startsWith('Failed query:') && err.cause instanceof Error ? err.cause : err;
    const code = sqlState(cause);
    const statement = typeof query === 'string' ? query.replace(/\s+/g, ' ').slice(0, 120) : '';
    return `database error${code ? ` ${code}` : ''}: ${redactPersonalData(cause.message)}${statement ? ` (in: ${statement}${statement.length === 120 ? '…' : ''})` : ''}`;
  }
  return redactPersonalData(err.message);
}

/** Cuts a Drizzle "params: …" tail off a message (logged as a plain string by code that took `err.message`). */
export function redactQueryParams(message: string): string {
  return message.replace(/\nparams: [\s\S]*$/, '\nparams: [redacted]');
}

// A safety net for text Spokes does not write itself (a remote system's error message quoting a value):
// e-mail addresses, and phone numbers in the international form Spokes normalises to (+ and 7–15 digits).
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
const PHONE = /\+\d[\d ().-]{5,18}\d/g;

/** `text` without query parameters, e-mail addresses or international phone numbers. */
export function redactPersonalData(text: string): string {
  return redactQueryParams(text).replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}
