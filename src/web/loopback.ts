import type { FastifyRequest } from 'fastify';
import { SpokesError } from '../errors.ts';

/**
 * True when the request comes straight from this machine. A request relayed by
 * a reverse proxy on the same host also arrives from loopback, so any
 * forwarding header disqualifies it.
 */
export function isDirectLoopback(request: FastifyRequest): boolean {
  const addr = request.socket.remoteAddress ?? '';
  const loopback = addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
  return loopback && !request.headers['x-forwarded-for'] && !request.headers.forwarded && !request.headers['x-real-ip'];
}

export function requireDirectLoopback(request: FastifyRequest): void {
  if (!isDirectLoopback(request)) {
    throw new SpokesError('forbidden', 'this endpoint answers only direct requests from this machine', { status: 403 });
  }
}
