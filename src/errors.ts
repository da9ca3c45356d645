/**
 * The closed catalogue of errors Spokes raises. Every error has a stable `code`
 * (rendered on the wire as `{"error":{"code","message","details?"}}`), an HTTP
 * status for the web layer, and `retryable` for the job runner: a retryable
 * error is retried with backoff, anything else goes straight to the dead letters.
 */
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

/** Whether the job runner should try again. Unknown errors (bugs, crashes) are retried too: they may be transient. */
export function isRetryable(err: unknown): boolean {
  return err instanceof SpokesError ? err.retryable : true;
}
