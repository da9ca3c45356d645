/**
 * The routing API for machines: a booking flowchart calls it from a server, not
 * from a signed-in browser. One token per installation, made (and remade, which
 * revokes the previous one) by an owner or a manager on the Meeting booking
 * page, shown once, stored as its SHA-256 only. It opens the read-only routing
 * look-up at `GET /booking/routing` (outside `/api/`, so it can reach nothing
 * else: the admin API answers a bearer token 401 as it answers no session).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../../errors.ts';
import type { Db } from '../../db/open.ts';
import { parseInput } from '../../web/errors.ts';
import type { PublicRoutes } from '../../platform/connector.ts';
import { routingQuery } from './admin-routes.ts';
import type { PropertyStore } from './property-store.ts';
import { bookingPropertySync } from './schema.ts';

const PREFIX = 'spk_route_';
const sha256 = (text: string) => createHash('sha256').update(text).digest();

export class RoutingTokens {
  readonly #db: Db;
  readonly #store: PropertyStore;
  constructor(db: Db, store: PropertyStore) {
    this.#db = db;
    this.#store = store;
  }

  /** A new token (the previous one stops working at once); the only time it is seen. */
  async rotate(): Promise<{ token: string; createdAt: string }> {
    await this.#store.state();
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    const createdAt = new Date();
    await this.#db
      .update(bookingPropertySync)
      .set({ routingTokenHash: sha256(token).toString('hex'), routingTokenCreatedAt: createdAt })
      .where(eq(bookingPropertySync.id, 'default'));
    return { token, createdAt: createdAt.toISOString() };
  }

  async revoke(): Promise<void> {
    await this.#store.state();
    await this.#db.update(bookingPropertySync).set({ routingTokenHash: null, routingTokenCreatedAt: null }).where(eq(bookingPropertySync.id, 'default'));
  }

  /** 401 unless the request carries the current token as `Authorization: Bearer …`. */
  async check(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization ?? '';
    const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!given) throw new UnauthorizedError('The routing API needs `Authorization: Bearer <routing API token>` (made on the Meeting booking page).');
    const stored = (await this.#store.state()).routingTokenHash;
    const expected = stored ? Buffer.from(stored, 'hex') : null;
    if (!expected || !timingSafeEqual(sha256(given), expected))
      throw new UnauthorizedError('The routing API token is wrong or was replaced: make a new one on the Meeting booking page.');
  }
}

/** `GET /booking/routing?email=|domain=` for machine callers, behind the token. */
export function routingApiForMachines(tokens: (ctx: { db: Db }) => RoutingTokens, store: (ctx: { db: Db }) => PropertyStore): PublicRoutes<any, any> {
  return {
    prefix: '/booking',
    auth: 'token',
    authorize: (request, ctx) => tokens(ctx).check(request),
    register(router: FastifyInstance, ctx) {
      router.get('/routing', async (request) => {
        const q = parseInput(routingQuery, request.query, 'query');
        return { query: q, ...(await store(ctx).route(q)) };
      });
    },
  };
}
