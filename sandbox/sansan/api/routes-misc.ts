/**
 * `GET /persons/{id}`, `GET /tags` and `GET /me` (reference §A.2, §A.3).
 */
import type { FastifyInstance } from 'fastify';
import { TAG_TYPES, type DbTag } from '../model/tags.ts';
import { apiUser, type ApiContext } from './context.ts';
import { notFound } from './errors.ts';
import { decodeToken, encodeToken, mergeWithToken } from './page-token.ts';
import { QueryReader } from './params.ts';
import { apiCard, apiTag } from './serialize.ts';

const MAX_TAG_PAGE = 100;

export function registerMiscRoutes(app: FastifyInstance, ctx: ApiContext, base: string): void {
  // `{item: {id, headBizCard}}` as public clients read it (asufana/sansanapi's Person, v3.2 clients).
  // The head is the person's newest completed card if the caller may see it, else the newest one
  // they may see; none visible → 404 (UNCONFIRMED).
  app.get(`${base}/persons/:id`, async (request) => {
    const user = apiUser(ctx, request);
    const reader = new QueryReader(request.url);
    const includeTags = reader.bool('includeTags') ?? false;
    reader.done();
    const id = (request.params as { id: string }).id;
    const state = ctx.state;
    const head = state.cards.head(id);
    let card = head && state.canSee(user, head) ? head : undefined;
    if (!card) {
      for (const c of state.cards.personCards(id)) {
        if (
          c.entryStatus === 'completed' &&
          state.canSee(user, c) &&
          (!card || c.exchangeDate > card.exchangeDate || (c.exchangeDate === card.exchangeDate && c.registeredAt > card.registeredAt))
        )
          card = c;
      }
    }
    if (!card) throw notFound(`Person ${id}`);
    return { item: { id, headBizCard: apiCard(state, user, card, includeTags, ctx.options.utcOffsetMinutes) } };
  });

  // range=me: tags the user owns; range=all: every tag the user may see. type is repeatable.
  app.get(`${base}/tags`, async (request) => {
    const user = apiUser(ctx, request);
    const reader = new QueryReader(request.url);
    const token = reader.string('nextPageToken');
    const given = {
      range: reader.oneOf('range', ['me', 'all'] as const),
      type: reader.many('type', TAG_TYPES),
      ownerUserId: reader.string('ownerUserId', { max: 20 }),
      tagName: reader.string('tagName', { max: 50 }),
    };
    const limit = reader.int('limit', 1, MAX_TAG_PAGE);
    reader.done();
    let query: Record<string, unknown> = { ...given, range: given.range ?? 'me' };
    let after = 0;
    let tokenLimit: number | undefined;
    if (token !== undefined) {
      const payload = decodeToken(ctx.state.tokenSecret, token, { e: 'tags', u: user.id, now: ctx.state.clock.now() });
      query = mergeWithToken(given, payload);
      after = Number(payload.c[0]);
      tokenLimit = payload.q.limit as number | undefined;
    }
    const size = limit ?? tokenLimit ?? MAX_TAG_PAGE;
    const types = query.type ? new Set(query.type as string[]) : undefined;
    const name = (query.tagName as string | undefined)?.toLowerCase();
    const matches = (tag: DbTag) =>
      tag.seq > after &&
      (query.range === 'me' ? tag.ownerUserId === user.id : ctx.state.tags.visibleTo(user.id, tag)) &&
      (!types || types.has(tag.type)) &&
      (query.ownerUserId === undefined || tag.ownerUserId === query.ownerUserId) &&
      (name === undefined || tag.name.toLowerCase().includes(name));
    const page: DbTag[] = [];
    let hasMore = false;
    for (const tag of ctx.state.tags.list) {
      if (!matches(tag)) continue;
      if (page.length === size) {
        hasMore = true;
        break;
      }
      page.push(tag);
    }
    return {
      data: page.map((t) => apiTag(ctx.state, t)),
      hasMore,
      nextPageToken: hasMore
        ? encodeToken(ctx.state.tokenSecret, {
            e: 'tags',
            u: user.id,
            q: { ...query, limit: size },
            c: [page[page.length - 1].seq, ''],
            x: ctx.state.clock.now() + ctx.limits.pageTokenTtlSeconds * 1000,
          })
        : null,
    };
  });

  // The key's user; public code uses it as the cheapest key check (field names UNCONFIRMED).
  app.get(`${base}/me`, async (request) => {
    const user = apiUser(ctx, request);
    return { item: { id: user.id, name: user.name, email: user.email } };
  });
}
