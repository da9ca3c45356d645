/**
 * Test helpers that talk to the Yeastar emulator the way a real client does:
 * HTTP with a User-Agent and `?access_token=`, a real WebSocket, a real webhook
 * receiver. Nothing here reaches into the emulator's internals.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { startYeastarSandbox, type YeastarSandbox, type YeastarSandboxOptions } from '../../sandbox/yeastar/index.ts';

export const UA = { 'User-Agent': 'OpenAPI' };

export type ApiBody = Record<string, any>;

export class PbxClient {
  readonly base: string;
  token = '';
  refreshToken = '';
  readonly clientId: string;
  readonly clientSecret: string;

  constructor(sb: YeastarSandbox) {
    const info = sb.info();
    this.base = `${info.baseUrl}/openapi/v1.0`;
    this.clientId = info.clientId;
    this.clientSecret = info.clientSecret;
  }

  async login(): Promise<ApiBody> {
    const res = await this.post('get_token', { username: this.clientId, password: this.clientSecret }, { auth: false });
    if (res.errcode !== 0) throw new Error(`get_token failed: ${JSON.stringify(res)}`);
    this.token = res.access_token;
    this.refreshToken = res.refresh_token;
    return res;
  }

  url(path: string, query: Record<string, string | number | undefined> = {}, auth = true): string {
    const u = new URL(`${this.base}/${path}`);
    if (auth) u.searchParams.set('access_token', this.token);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async get(path: string, query: Record<string, string | number | undefined> = {}, opts: { auth?: boolean } = {}): Promise<ApiBody> {
    const res = await fetch(this.url(path, query, opts.auth !== false), { headers: UA });
    return res.json() as Promise<ApiBody>;
  }

  async post(path: string, body: unknown, opts: { auth?: boolean; headers?: Record<string, string> } = {}): Promise<ApiBody> {
    const res = await fetch(this.url(path, {}, opts.auth !== false), {
      method: 'POST',
      headers: { ...UA, 'Content-Type': 'application/json', ...opts.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return res.json() as Promise<ApiBody>;
  }
}

export async function startPbx(opts: YeastarSandboxOptions = {}): Promise<{ sb: YeastarSandbox; pbx: PbxClient }> {
  const sb = await startYeastarSandbox({ timeScale: 0.002, ...opts });
  const pbx = new PbxClient(sb);
  await pbx.login();
  return { sb, pbx };
}

export async function control(sb: YeastarSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface PbxEventFrame {
  type: number;
  sn: string;
  /** `msg` parsed from its JSON string. */
  msg: any;
}

/**
 * A real WebSocket subscription that records every frame. Like a real client it
 * sends `heartbeat` periodically (the PBX drops a silent socket after 60 s × timeScale);
 * pass `heartbeatMs: 0` to stay silent.
 */
export class EventStream {
  readonly socket: WebSocket;
  readonly frames: string[] = [];
  readonly events: PbxEventFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      const text = data.toString();
      if (text === 'heartbeat response' && this.heartbeat) return;
      this.frames.push(text);
      try {
        const frame = JSON.parse(text);
        if (typeof frame.type === 'number') this.events.push({ type: frame.type, sn: frame.sn, msg: JSON.parse(frame.msg) });
      } catch {
        /* replies such as "heartbeat response" */
      }
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code, reason) => {
        clearInterval(this.heartbeat);
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  private heartbeat: NodeJS.Timeout | undefined;

  static async open(sb: YeastarSandbox, token: string, topics?: number[], opts: { heartbeatMs?: number } = {}): Promise<EventStream> {
    const stream = new EventStream(`${sb.info().websocketUrl}?access_token=${token}`);
    await new Promise<void>((resolve, reject) => {
      stream.socket.once('open', () => resolve());
      stream.socket.once('error', reject);
    });
    const every = opts.heartbeatMs ?? 25;
    if (every > 0) {
      stream.heartbeat = setInterval(() => {
        if (stream.socket.readyState === stream.socket.OPEN) stream.socket.send('heartbeat');
      }, every);
    }
    if (topics) {
      stream.socket.send(JSON.stringify({ topic_list: topics }));
      await stream.waitFor(() => stream.frames.length >= 1);
    }
    return stream;
  }

  /** Resolves when `done()` holds, or rejects after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs = 3000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; frames so far: ${this.frames.join('\n')}`)), timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** Waits for the 30012 New CDR of `callId` and returns every event of that call so far. */
  async callEvents(callId: string, timeoutMs = 3000): Promise<PbxEventFrame[]> {
    await this.waitFor(() => this.events.some((e) => e.type === 30012 && e.msg.call_id === callId), timeoutMs);
    return this.events.filter((e) => e.msg.call_id === callId || e.type === 30008);
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.socket.close();
  }
}

/** Compact view of one 30011 event: "extension:1001:RING,inbound:ALERT". */
export function memberSummary(msg: any): string {
  return msg.members
    .map((m: any) => {
      const [kind, v] = Object.entries(m)[0] as [string, any];
      return kind === 'extension' ? `extension:${v.number}:${v.member_status}` : `${kind}:${v.member_status}`;
    })
    .join(',');
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** A real HTTP server on 127.0.0.1 that records webhook requests and answers `status`. */
export async function startWebhookReceiver(status = 200): Promise<{
  url: string;
  received: ReceivedWebhook[];
  waitFor: (n: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}> {
  const received: ReceivedWebhook[] = [];
  let notify = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
      notify();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/yeastar-hook`,
    received,
    waitFor: (n, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${received.length} of ${n} webhooks`)), timeoutMs);
        notify = () => {
          if (received.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      }),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
