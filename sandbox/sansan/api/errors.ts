/**
 * Error answers of the emulated Open API. What is known (docs/sandbox/sansan.md
 * "Errors"): 401 with code `invalid_api_key` and 400 with code `required` per missing
 * parameter (asufana/sansanapi's v1 tests print `errorCodes=invalid_api_key` and
 * `errorCodes=required, required`), 429 carrying `retry_after` in seconds (two public
 * clients read `JSON.parse(body).retry_after`). The envelope around them
 * (`statusCode`, `message`, `errors[{code, field, message}]`) is UNCONFIRMED.
 */
export interface ApiErrorItem {
  code: string;
  /** The query parameter or body field at fault. */
  field?: string;
  message: string;
}

export class SansanApiError extends Error {
  readonly statusCode: number;
  readonly items: ApiErrorItem[];
  readonly extra: Record<string, unknown>;

  constructor(statusCode: number, message: string, items: ApiErrorItem[], extra: Record<string, unknown> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.items = items;
    this.extra = extra;
  }

  body(): Record<string, unknown> {
    return { statusCode: this.statusCode, message: this.message, errors: this.items, ...this.extra };
  }
}

/** One 400 listing every problem found in the request. */
export function badRequest(items: ApiErrorItem[]): SansanApiError {
  const message = items.map((i) => i.message).join(' ');
  return new SansanApiError(400, message, items);
}

export function invalid(field: string, message: string): SansanApiError {
  return badRequest([{ code: 'invalid', field, message }]);
}

export function invalidApiKey(reason: 'missing' | 'unknown'): SansanApiError {
  const message = reason === 'missing' ? 'The X-Sansan-Api-Key header is missing.' : 'The API key in X-Sansan-Api-Key is not valid.';
  return new SansanApiError(401, message, [{ code: 'invalid_api_key', field: 'X-Sansan-Api-Key', message }]);
}

export function notFound(what: string): SansanApiError {
  const message = `${what} was not found.`;
  return new SansanApiError(404, message, [{ code: 'not_found', message }]);
}

export function rateLimited(retryAfterSeconds: number): SansanApiError {
  const message = 'Too many requests for this API key (10 requests per second). Retry after retry_after seconds.';
  return new SansanApiError(429, message, [{ code: 'rate_limit_exceeded', message }], { retry_after: retryAfterSeconds });
}

/** A 5xx from the API itself (502–504 come from the gateway in front of it as an HTML page: http/app.ts). */
export function serverError(status: number): SansanApiError {
  const message = 'An internal error occurred.';
  return new SansanApiError(status, message, [{ code: 'internal_error', message }]);
}
