/**
 * `GET /bizCards` (the incremental feed), `GET /bizCards/search`, `GET /bizCards/{id}`,
 * `GET /bizCards/{id}/tags` (reference §A.3). `POST /bizCards` is in routes-create.ts.
 */
import type { FastifyInstance } from 'fastify';
import { normalizeEmail, normalizeText, type DbCard } from '../model/cards.ts';
import type { SansanUser } from '../options.ts';
import { baseFilter, cardPage, DEFAULT_CARD_PAGE, MAX_CARD_PAGE, readCommon, resolveQuery, type CommonQuery } from './card-listing.ts';
import { apiUser, type ApiContext } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { decodeToken, encodeToken } from './page-token.ts';
import { QueryReader } from './params.ts';
import { apiCard, apiTag, cardPageSchema } from './serialize.ts';

interface ListQuery extends CommonQuery {
  updatedFrom: number;
  updatedTo: number;
}

interface SearchQuery extends CommonQuery {
  companyName?: string;
  name?: string;
  email?: string;
  tel?: string;
  mobile?: string;
  tagId?: string[];
}

const MAX_TAG_PAGE = 100;

export function registerBizCardRoutes(app: FastifyInstance, ctx: ApiContext, base: string): void {
  app.get(`${base}/bizCards`, { schema: { response: { 200: cardPageSchema } } }, async (request) => {
    const user = apiUser(ctx, request);
    const reader = new QueryReader(request.url);
    const token = reader.string('nextPageToken');
    const given = {
      updatedFrom: reader.time('updatedFrom', token === undefined),
      updatedTo: reader.time('updatedTo', token === undefined),
      ...readCommon(reader, ['registeredAt', 'completedAt', 'updatedAt']),
    };
    const limit = reader.int('limit', 1, MAX_CARD_PAGE);
    reader.done();
    if (token === undefined && given.updatedFrom! >= given.updatedTo!) {
      throw invalid('updatedTo', 'updatedTo must be later than updatedFrom.');
    }
    const {
      query,
      cursor,
      limit: tokenLimit,
    } = resolveQuery<ListQuery>(ctx, user, 'bizCards', given, token, () => ({
      updatedFrom: given.updatedFrom!,
      updatedTo: given.updatedTo!,
      ...commonDefaults(given, 'updatedAt', 'asc'),
    }));
    return cardPage(
      ctx,
      user,
      'bizCards',
      { ...query },
      {
        orderBy: query.orderBy,
        direction: query.orderDirection,
        includeTags: query.includeTags,
        window: { from: query.updatedFrom, to: query.updatedTo },
        accept: baseFilter(ctx.state, user, query),
      },
      cursor,
      limit ?? tokenLimit ?? DEFAULT_CARD_PAGE,
    );
  });

  app.get(`${base}/bizCards/search`, { schema: { response: { 200: cardPageSchema } } }, async (request) => {
    const user = apiUser(ctx, request);
    const reader = new QueryReader(request.url);
    const token = reader.string('nextPageToken');
    const given = {
      companyName: reader.string('companyName', { max: 250 }),
      name: reader.string('name', { max: 250 }),
      email: reader.string('email', { max: 250 }),
      tel: reader.string('tel', { max: 50 }),
      mobile: reader.string('mobile', { max: 50 }),
      tagId: reader.many('tagId'),
      ...readCommon(reader, ['registeredAt', 'updatedAt']),
    };
    for (const field of ['tel', 'mobile'] as const) {
      if (given[field] !== undefined && digits(given[field]!) === '') reader.fail(field, 'invalid', `${field} must contain digits.`);
    }
    const limit = reader.int('limit', 1, MAX_CARD_PAGE);
    reader.done();
    const {
      query,
      cursor,
      limit: tokenLimit,
    } = resolveQuery<SearchQuery>(ctx, user, 'search', given, token, () => ({
      ...dropUndefined({ companyName: given.companyName, name: given.name, email: given.email, tel: given.tel, mobile: given.mobile, tagId: given.tagId }),
      ...commonDefaults(given, 'registeredAt', 'desc'),
    }));
    const base = baseFilter(ctx.state, user, query);
    // Tags the user may not see match nothing, as if they did not exist.
    const tagIds = query.tagId?.filter((id) => {
      const tag = ctx.state.tags.byId.get(id);
      return tag !== undefined && ctx.state.tags.visibleTo(user.id, tag);
    });
    const criteria = searchFilter({ ...query, tagId: tagIds });
    return cardPage(
      ctx,
      user,
      'search',
      { ...query },
      {
        orderBy: query.orderBy,
        direction: query.orderDirection,
        includeTags: query.includeTags,
        accept: (card) => base(card) && criteria(card),
      },
      cursor,
      limit ?? tokenLimit ?? DEFAULT_CARD_PAGE,
    );
  });

  app.get(`${base}/bizCards/:id`, async (request) => {
    const user = apiUser(ctx, request);
    const reader = new QueryReader(request.url);
    const includeTags = reader.bool('includeTags') ?? false;
    reader.done();
    const card = visibleCard(ctx, user, (request.params as { id: string }).id);
    return { item: apiCard(ctx.state, user, card, includeTags, ctx.options.utcOffsetMinutes) };
  });

  app.get(`${base}/bizCards/:id/tags`, async (request) => {
    const user = apiUser(ctx, request);
    const card = visibleCard(ctx, user, (request.params as { id: string }).id);
    const reader = new QueryReader(request.url);
    const token = reader.string('nextPageToken');
    const limit = reader.int('limit', 1, MAX_TAG_PAGE) ?? MAX_TAG_PAGE;
    reader.done();
    const listing = `cardTags:${card.id}`;
    const after = token === undefined ? 0 : Number(decodeToken(ctx.state.tokenSecret, token, { e: listing, u: user.id, now: ctx.state.clock.now() }).c[0]);
    const tags = ctx.state
      .visibleTags(user, card)
      .sort((a, b) => a.seq - b.seq)
      .filter((t) => t.seq > after);
    const page = tags.slice(0, limit);
    const hasMore = tags.length > limit;
    return {
      data: page.map((t) => apiTag(ctx.state, t)),
      hasMore,
      nextPageToken: hasMore
        ? encodeToken(ctx.state.tokenSecret, {
            e: listing,
            u: user.id,
            q: {},
            c: [page[page.length - 1].seq, ''],
            x: ctx.state.clock.now() + ctx.limits.pageTokenTtlSeconds * 1000,
          })
        : null,
    };
  });
}

/**
 * Server-side defaults (UNCONFIRMED; these are the defaults sansan-mcp sends):
 * range=me, entryStatus=completed (reference §A.3), no tags, no past cards.
 */
function commonDefaults(given: Partial<CommonQuery>, orderBy: string, orderDirection: 'asc' | 'desc'): CommonQuery {
  return {
    range: given.range ?? 'me',
    entryStatus: given.entryStatus ?? ['completed'],
    includeTags: given.includeTags ?? false,
    includePastBizCards: given.includePastBizCards ?? false,
    orderBy: given.orderBy ?? orderBy,
    orderDirection: given.orderDirection ?? orderDirection,
  };
}

/** A card the API user may see, or 404 (a card hidden from the user is not told apart from a missing one). */
export function visibleCard(ctx: ApiContext, user: SansanUser, id: string): DbCard {
  const card = ctx.state.cards.byId.get(id);
  if (!card || !ctx.state.canSee(user, card)) throw notFound(`BizCard ${id}`);
  return card;
}

/**
 * Search criteria, ANDed (reference §A.3): companyName partial, name a prefix of last
 * and first name together, email exact, tel/mobile partial on their digits, tagId any of.
 * Case, width and spaces are ignored (UNCONFIRMED).
 */
function searchFilter(q: SearchQuery): (card: DbCard) => boolean {
  const company = q.companyName === undefined ? undefined : normalizeText(q.companyName);
  const name = q.name === undefined ? undefined : normalizeText(q.name);
  const email = q.email === undefined ? undefined : normalizeEmail(q.email);
  const tel = q.tel === undefined ? undefined : digits(q.tel);
  const mobile = q.mobile === undefined ? undefined : digits(q.mobile);
  const tags = q.tagId === undefined ? undefined : new Set(q.tagId);
  return (card) => {
    if (company !== undefined && !normalizeText(card.companyName).includes(company)) return false;
    if (name !== undefined && !(normalizeText(card.lastName) + normalizeText(card.firstName)).startsWith(name)) return false;
    if (email !== undefined && normalizeEmail(card.email) !== email) return false;
    if (tel !== undefined && !(digits(card.tel ?? '').includes(tel) || digits(card.secondTel ?? '').includes(tel))) return false;
    if (mobile !== undefined && !digits(card.mobile ?? '').includes(mobile)) return false;
    if (tags !== undefined && !card.tagIds.some((id) => tags.has(id))) return false;
    return true;
  };
}

function digits(text: string): string {
  return text.normalize('NFKC').replace(/\D/g, '');
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
