/**
 * HubSpot's error bodies (reference §9). Route code throws `HubSpotApiError`; the app's
 * error handler stamps the request's correlation id into the body and sends it.
 */

export type ErrorBody = Record<string, unknown>;

export class HubSpotApiError extends Error {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  /**
   * Context HubSpot adds when this error is reported for one input of a 207 batch answer,
   * next to `objectWriteTraceId` (e.g. a conflict's `existingId`); not part of the error's own body.
   */
  batchContext: Record<string, string[]> = {};
  private readonly render: (correlationId: string) => ErrorBody;

  constructor(statusCode: number, message: string, render: (correlationId: string) => ErrorBody, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HubSpotApiError';
    this.statusCode = statusCode;
    this.render = render;
    this.headers = headers;
  }

  body(correlationId: string): ErrorBody {
    return this.render(correlationId);
  }
}

export interface StandardErrorExtras {
  subCategory?: string;
  errors?: Array<{ message: string; code?: string; in?: string; subCategory?: string; context?: Record<string, string[]> }>;
  context?: Record<string, string[]>;
  links?: Record<string, string>;
}

/** The common shape: `{status:"error", message, correlationId, category, …}` (§9). */
export function apiError(
  statusCode: number,
  category: string,
  message: string,
  extras: StandardErrorExtras = {},
  headers?: Record<string, string>,
): HubSpotApiError {
  return new HubSpotApiError(statusCode, message, (correlationId) => ({ status: 'error', message, correlationId, category, ...extras }), headers);
}

export function validationError(message: string, extras?: StandardErrorExtras): HubSpotApiError {
  return apiError(400, 'VALIDATION_ERROR', message, extras);
}

/** 404 for records, owners, properties… (§9: "resource not found", UNCONFIRMED exact wording). */
export function notFound(message = 'resource not found'): HubSpotApiError {
  return apiError(404, 'OBJECT_NOT_FOUND', message);
}

/**
 * 404 for a record path id that is not a number (no `idProperty`). Observed on HubSpot's
 * v3 objects GET/PATCH: the text (two spaces after "found.") and `context.id` naming the id
 * (docs/sandbox/hubspot.md, "Objects"). A numeric id that matches nothing gets `notFound()`.
 */
export function objectIdNotNumeric(id: string): HubSpotApiError {
  return apiError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', { context: { id: [id] } });
}

/** §2.1: more than 100 batch inputs. Wording observed in a real response (docs/sandbox/hubspot.md). */
export function tooManyBatchInputs(max: number): HubSpotApiError {
  return validationError(`The maximum number of inputs supported in a batch is ${max}. Please reduce the number of items and try again`);
}

/**
 * OAuth token endpoint errors keep HubSpot's older `status`/`message` shape plus the
 * RFC 6749 `error`/`error_description` pair HubSpot added in 2026 (§1.2, docs/sandbox/hubspot.md).
 */
export function oauthError(status: string, message: string, rfcError?: string): HubSpotApiError {
  return new HubSpotApiError(400, message, (correlationId) => ({
    status,
    message,
    correlationId,
    ...(rfcError ? { error: rfcError, error_description: message } : {}),
  }));
}

/** §8: the 429 body; `errorType`/`policyName` instead of `category`. */
export function rateLimitError(
  policyName: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY',
  message: string,
  groupName: string | undefined,
  headers: Record<string, string> = {},
): HubSpotApiError {
  return new HubSpotApiError(
    429,
    message,
    (correlationId) => ({
      status: 'error',
      message,
      errorType: 'RATE_LIMIT',
      correlationId,
      policyName,
      ...(groupName ? { groupName } : {}),
    }),
    headers,
  );
}

/** Sandbox control endpoints (`/sandbox/*`) answer in Spokes' own error shape, naming the field. */
export class ControlError extends Error {
  readonly statusCode: number;
  readonly details: Array<{ field: string; message: string }>;
  constructor(message: string, details: Array<{ field: string; message: string }> = [], statusCode = 400) {
    super(message);
    this.name = 'ControlError';
    this.statusCode = statusCode;
    this.details = details;
  }
}
