import type { FastifyRequest } from 'fastify';
import { SpokesError } from '../errors.ts';

/** Host headers a request made on this machine carries: the loopback names, with any port. */
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/**
 * True when the request comes straight from this machine and was addressed to it by a loopback name.
 * A request relayed by a reverse proxy on the same host also arrives from loopback, so any forwarding
 * header disqualifies it. The Host header defeats DNS rebinding: a web page the admin opens can point
 * its own name at 127.0.0.1 and read the answer as same-origin, but its requests still say its name.
 */
export function isDirectLoopback(request: FastifyRequest): boolean {
  const addr = request.socket.remoteAddress ?? '';
  const loopback = addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
  const host = request.headers.host ?? '';
  return loopback && LOOPBACK_HOST.test(host) && !request.headers['x-forwarded-for'] && !request.headers.forwarded && !request.headers['x-real-ip'];
}

export function requireDirectLoopback(request: FastifyRequest): void {
  if (!isDirectLoopback(request)) {
    throw new SpokesError('forbidden', 'this endpoint answers only direct requests from this machine, addressed to localhost, 127.0.0.1 or [::1]', {
      status: 403,
    });
  }
}
