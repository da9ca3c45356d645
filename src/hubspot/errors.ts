/**
 * Turns what `@hubspot/api-client` throws (ApiException {code, body, headers})
 * or what fetch throws into Spokes' error catalogue, so that jobs retry what is
 * worth retrying and users read HubSpot's own explanation for the rest.
 */
import { AuthExpiredError, RemoteRateLimitedError, RemoteRejectedError, RemoteUnavailableError, SpokesError } from '../errors.ts';

export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  policyName?: string;
  correlationId?: string;
  errors?: { message?: string }[];
}

export function hubspotErrorBody(err: unknown): HubSpotErrorBody | undefined {
  const body = (err as { body?: unknown }).body;
  if (body && typeof body === 'object') return body as HubSpotErrorBody;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as HubSpotErrorBody;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return undefined;
}

/** HubSpot's body of a token-endpoint error that src/oauth's token client threw (`remoteBody`). */
export function tokenErrorBody(err: unknown): HubSpotErrorBody | undefined {
  return hubspotErrorBody({ body: (err as { remoteBody?: unknown }).remoteBody });
}

export function hubspotStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** §8: how long each 429 policy asks us to wait. */
export function retryAfterMs(body: HubSpotErrorBody | undefined): number {
  switch (body?.policyName) {
    case 'SECONDLY':
      return 1_000;
    case 'DAILY':
      return 60 * 60_000;
    default:
      return 10_000;
  }
}

export function mapHubSpotError(err: unknown, what: string): SpokesError {
  if (err instanceof SpokesError) return err;
  const status = hubspotStatus(err);
  if (status === undefined) {
    return new RemoteUnavailableError(`${what}: HubSpot could not be reached (${(err as Error).message ?? String(err)})`, err);
  }
  const body = hubspotErrorBody(err);
  const message = body?.message ?? `HTTP ${status}`;
  if (status === 429) return new RemoteRateLimitedError(`${what}: HubSpot rate limit (${body?.policyName ?? 'unknown policy'})`, retryAfterMs(body), err);
  if (status >= 500) return new RemoteUnavailableError(`${what}: HubSpot answered ${status}: ${message}`, err);
  if (status === 401) return new AuthExpiredError(`${what}: HubSpot refused the credentials: ${message}`, err);
  return new RemoteRejectedError(`${what}: ${message}`, status, err, body);
}

/** An HTTP error from `client.apiRequest` (which resolves on every status), shaped like the client's ApiException. */
export class HubSpotHttpError extends Error {
  readonly code: number;
  readonly body: unknown;
  constructor(code: number, body: unknown) {
    super(`HTTP ${code}`);
    this.code = code;
    this.body = body;
  }
}

/** Reads a Response from `client.apiRequest`: its JSON, or throws HubSpotHttpError for a non-2xx status. */
export async function jsonOrThrow<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  if (!res.ok) throw new HubSpotHttpError(res.status, body);
  return body as T;
}
