/**
 * The agent's live call events, read from `GET /agent-api/events` with fetch
 * streaming: EventSource cannot send the Authorization header, and a token in
 * the URL would end up in logs. The stream reconnects by itself — backoff with
 * jitter, `Last-Event-ID` so nothing is missed — after a network drop, a
 * server restart or a silent dead connection (no keep-alive for 40 s).
 */
import { liveEventSchema, type LiveEvent } from './agent-api.ts';

export type StreamState = 'connecting' | 'connected' | 'reconnecting';

export interface EventStreamOptions {
  token: string;
  onEvent(event: LiveEvent): void;
  onState(state: StreamState, detail?: { retryInMs?: number }): void;
  /** The session was revoked or expired (401), or the user is no longer bound (409): the stream stops. */
  onRefused(status: number, message: string): void;
}

// The server sends a comment every 15 s; silence beyond this means the connection is dead.
const SILENCE_MS = 40_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export function openEventStream(opts: EventStreamOptions): { close(): void } {
  let closed = false;
  let lastEventId: string | null = null;
  let attempt = 0;
  let current: AbortController | null = null;
  let retryTimer: number | undefined;

  const run = async () => {
    if (closed) return;
    const abort = new AbortController();
    current = abort;
    opts.onState(attempt === 0 ? 'connecting' : 'reconnecting');
    let silence: number | undefined;
    const heard = () => {
      window.clearTimeout(silence);
      silence = window.setTimeout(() => abort.abort(), SILENCE_MS);
    };
    try {
      heard();
      const res = await fetch('/agent-api/events', {
        headers: { authorization: `Bearer ${opts.token}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        cache: 'no-store',
        signal: abort.signal,
      });
      if (res.status === 401 || res.status === 409) {
        const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        closed = true;
        opts.onRefused(res.status, body?.error?.message ?? 'Your sign-in is no longer valid.');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      attempt = 0;
      opts.onState('connected');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        heard();
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          dispatch(block);
        }
      }
    } catch {
      // Network drop, abort on silence, server gone: reconnect below.
    } finally {
      window.clearTimeout(silence);
    }
    if (closed) return;
    attempt++;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
    opts.onState('reconnecting', { retryInMs: delay });
    retryTimer = window.setTimeout(() => {
      retryTimer = undefined;
      void run();
    }, delay);
  };

  const dispatch = (block: string) => {
    let data = '';
    let id: string | null = null;
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data += (data ? '\n' : '') + value;
      else if (field === 'id') id = value;
    }
    if (id !== null) lastEventId = id;
    if (!data) return;
    try {
      const parsed = liveEventSchema.safeParse(JSON.parse(data));
      if (parsed.success) opts.onEvent(parsed.data);
      else console.warn('Spokes sent a call event this page does not understand', parsed.error.issues);
    } catch {
      console.warn('Spokes sent a call event that is not JSON');
    }
  };

  // Back online: try at once instead of waiting out the backoff.
  const online = () => {
    if (closed || retryTimer === undefined) return;
    window.clearTimeout(retryTimer);
    retryTimer = undefined;
    void run();
  };
  window.addEventListener('online', online);
  void run();

  return {
    close() {
      closed = true;
      window.clearTimeout(retryTimer);
      window.removeEventListener('online', online);
      current?.abort();
    },
  };
}
