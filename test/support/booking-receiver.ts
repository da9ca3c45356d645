/**
 * A webhook subscriber for the booking emulators' tests: a real HTTP server on 127.0.0.1 that
 * keeps each request's headers and raw body and answers what the test says.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body. */
  json: any;
}

export interface BookingReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** The status to answer the n-th request (0-based) with; default 200. */
  answer: (n: number, delivery: ReceivedDelivery) => number;
  /** Resolves once `done()` holds; rejects after `timeoutMs` listing what arrived. */
  waitFor(done: (received: ReceivedDelivery[]) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startBookingReceiver(): Promise<BookingReceiver> {
  const received: ReceivedDelivery[] = [];
  let waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        json = undefined;
      }
      const delivery = { headers: req.headers, rawBody, json };
      const status = receiver.answer(received.length, delivery);
      received.push(delivery);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'failed');
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const receiver: BookingReceiver = {
    url: `http://127.0.0.1:${port}/webhooks/booking`,
    received,
    answer: () => 200,
    waitFor: (done, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!done(received)) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`timed out; received: ${received.map((r) => r.json?.triggerEvent ?? r.rawBody.slice(0, 40)).join(', ')}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      }),
    reset: () => {
      received.length = 0;
      receiver.answer = () => 200;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return receiver;
}

/** What a Cal.com subscriber does: hex HMAC-SHA256 of the raw body with the secret, constant-time compare. */
export function calcomSignatureValid(secret: string, d: ReceivedDelivery): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(d.rawBody).digest('hex'));
  const given = Buffer.from(String(d.headers['x-cal-signature-256'] ?? ''));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** What an immedio subscriber of the emulator does: `t=…,v1=…` over "<t>.<raw body>", with a 5-minute tolerance. */
export function immedioSignatureValid(secret: string, d: ReceivedDelivery, nowSec = Math.floor(Date.now() / 1000)): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(d.headers['x-immedio-signature'] ?? ''));
  if (!m || Math.abs(nowSec - Number(m[1])) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${m[1]}.${d.rawBody}`).digest('hex'));
  return timingSafeEqual(expected, Buffer.from(m[2]));
}

export async function control(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
