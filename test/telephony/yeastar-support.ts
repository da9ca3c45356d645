/**
 * Helpers for the Yeastar adapter tests: a fresh emulator per test file, an
 * adapter pointed at it over real HTTP and WebSocket, a log that is captured
 * (to prove no secret is ever written), and a collector for event streams.
 */
import { createLogger, type Logger } from '../../src/logger.ts';
import { AddressPolicy } from '../../src/net/address-policy.ts';
import type { PbxEvent, PbxEventOptions, PbxEventStream } from '../../src/connectors/telephony/pbx.ts';
import { createYeastarAdapter, type YeastarAdapter, type YeastarAdapterOptions } from '../../src/connectors/telephony/yeastar/index.ts';
import { startYeastarSandbox, type YeastarSandbox, type YeastarSandboxOptions } from '../../sandbox/yeastar/index.ts';

export interface CapturedLog {
  log: Logger;
  lines: string[];
}

export function capturedLog(): CapturedLog {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } }) };
}

/** The emulator compresses call timelines 500×; its 60 s idle drop becomes 120 ms, so streams heartbeat every 30 ms. */
export const FAST: YeastarSandboxOptions = { timeScale: 0.002 };
export const STREAM: PbxEventOptions = { heartbeatMs: 30, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } };

export async function startPbx(opts: YeastarSandboxOptions = {}): Promise<YeastarSandbox> {
  return startYeastarSandbox({ ...FAST, ...opts });
}

/** The emulator runs on this machine: tests allow loopback, as sandbox mode does (production refuses it). */
export const LOOPBACK_ALLOWED = new AddressPolicy('public,private,loopback');

export function adapterFor(sb: YeastarSandbox, overrides: Partial<YeastarAdapterOptions> = {}): YeastarAdapter {
  const info = sb.info();
  return createYeastarAdapter({
    baseUrl: info.baseUrl,
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    webhookSecret: info.webhookSecret,
    log: createLogger({ level: 'silent' }),
    addresses: LOOPBACK_ALLOWED,
    ...overrides,
  });
}

/** Reads a stream in the background and lets a test wait for what it expects. */
export class EventCollector {
  readonly events: PbxEvent[] = [];
  readonly done: Promise<unknown>;
  readonly stream: PbxEventStream;
  #waiters: (() => void)[] = [];

  constructor(stream: PbxEventStream) {
    this.stream = stream;
    this.done = (async () => {
      try {
        for await (const event of stream) {
          this.events.push(event);
          for (const w of this.#waiters) w();
        }
        return undefined;
      } catch (err) {
        return err;
      } finally {
        for (const w of this.#waiters) w();
      }
    })();
  }

  waitFor(done: (events: PbxEvent[]) => boolean, timeoutMs = 4000, what = 'events'): Promise<void> {
    if (done(this.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map(summary))}`));
      }, timeoutMs);
      const check = () => {
        if (!done(this.events)) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  /** Waits for the CDR of `callId` and returns every event of that call so far. */
  async call(callId: string, timeoutMs = 4000): Promise<PbxEvent[]> {
    await this.waitFor((evs) => evs.some((e) => e.type === 'cdr' && e.cdr.callId === callId), timeoutMs, `the CDR of ${callId}`);
    return this.events.filter((e) => (e.type === 'cdr' ? e.cdr.callId === callId : 'callId' in e && e.callId === callId));
  }

  gaps() {
    return this.events.filter((e) => e.type === 'gap');
  }
}

/** One line per event, for readable assertions and failure messages. */
export function summary(e: PbxEvent): string {
  switch (e.type) {
    case 'call':
      return `call ${e.state} ${e.direction ?? '?'} ext=${e.extensions.join('+')} ringing=${e.ringingExtensions.join('+')} ext#=${e.externalNumber ?? '-'}`;
    case 'call_failed':
      return `failed ${e.error.reason}`;
    case 'cdr':
      return `cdr ${e.cdr.direction} ${e.cdr.status}`;
    case 'extension_state':
      return `ext ${e.extension} ${e.state}`;
    case 'gap':
      return `gap ${e.reason}`;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function control(sb: YeastarSandbox, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}
