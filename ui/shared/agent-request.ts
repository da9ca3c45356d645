/**
 * A request to Spokes' agent API (`/agent-api/…`), for the pages that act for a
 * salesperson — the pop-up page (ui/agent/) and the calling widget (ui/widget/):
 * JSON in and out, the session as `Authorization: Bearer …` (no cookie, no
 * CSRF token), and every failure an AgentApiError whose message can be shown.
 */
import type { z } from 'zod';
import { ApiError, sentence } from './api.ts';

/** A failed request, with the agent API's `code` (`not_bound`, `wrong_portal`, `dial_failed`…) and a dial's `reason`. */
export class AgentApiError extends ApiError {
  readonly reason?: string;
  constructor(status: number, code: string, message: string, reason?: string) {
    super(status, code, message);
    this.reason = reason;
  }
}

/** What the page says when Spokes does not answer, or answers what it does not understand. */
export interface AgentRequestWording {
  network: string;
  unexpected: string;
}

export async function agentRequest<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  schema: z.ZodType<T>,
  opts: { token?: string; body?: unknown; wording: AgentRequestWording },
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), cache: 'no-store' });
  } catch {
    throw new AgentApiError(0, 'network', opts.wording.network);
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; reason?: string } } | undefined)?.error;
    throw new AgentApiError(
      res.status,
      error?.code ?? 'unknown',
      error?.message ? sentence(error.message) : `Spokes answered HTTP ${res.status}.`,
      error?.reason,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AgentApiError(res.status, 'unexpected_response', opts.wording.unexpected);
  return parsed.data;
}
