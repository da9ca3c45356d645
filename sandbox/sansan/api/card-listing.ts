/**
 * What `GET /bizCards` and `GET /bizCards/search` share: the parameters
 * (`range`, `entryStatus`, `includeTags`, `includePastBizCards`, `orderBy`,
 * `orderDirection`, `limit`, `nextPageToken`), the walk through one time order, and
 * the `{data, hasMore, nextPageToken}` envelope (reference §A.3, §A.4).
 */
import type { SansanUser } from '../options.ts';
import { ENTRY_STATUSES, type DbCard, type EntryStatus } from '../model/cards.ts';
import type { SortField } from '../model/sorted-cards.ts';
import type { TenantState } from '../model/tenant.ts';
import type { ApiContext } from './context.ts';
import { decodeToken, encodeToken, mergeWithToken, type TokenPayload } from './page-token.ts';
import type { QueryReader } from './params.ts';
import { apiCard } from './serialize.ts';

export const MAX_CARD_PAGE = 300;
/** UNCONFIRMED server default; sansan-mcp sends 100 when the caller gives none. */
export const DEFAULT_CARD_PAGE = 100;

const ORDER_TO_FIELD: Record<string, SortField> = { registeredAt: 'registeredAt', updatedAt: 'updatedAt', completedAt: 'completedAt' };

export interface CommonQuery {
  range: 'me' | 'all';
  entryStatus: EntryStatus[];
  includeTags: boolean;
  includePastBizCards: boolean;
  orderBy: string;
  orderDirection: 'asc' | 'desc';
}

/** Reads the shared parameters; undefined where absent (defaults come later, so a token can be compared). */
export function readCommon(reader: QueryReader, orderBys: readonly string[]): Partial<CommonQuery> {
  return {
    range: reader.oneOf('range', ['me', 'all'] as const),
    entryStatus: reader.many('entryStatus', ENTRY_STATUSES),
    includeTags: reader.bool('includeTags'),
    includePastBizCards: reader.bool('includePastBizCards'),
    orderBy: reader.oneOf('orderBy', orderBys),
    orderDirection: reader.oneOf('orderDirection', ['asc', 'desc'] as const),
  };
}

/**
 * The query to run: the token's (after checking the parameters sent with it match),
 * or the parameters with their defaults.
 */
export function resolveQuery<Q extends object>(
  ctx: ApiContext,
  user: SansanUser,
  listing: string,
  given: Record<string, unknown>,
  token: string | undefined,
  defaults: () => Q,
): { query: Q; cursor?: TokenPayload['c']; limit?: number } {
  if (token === undefined) return { query: defaults() };
  const payload = decodeToken(ctx.state.tokenSecret, token, { e: listing, u: user.id, now: ctx.state.clock.now() });
  return { query: mergeWithToken(given, payload) as Q, cursor: payload.c, limit: payload.q.limit as number | undefined };
}

export interface Walk {
  orderBy: string;
  direction: 'asc' | 'desc';
  /** Inclusive `updatedTime` bounds (GET /bizCards). */
  window?: { from: number; to: number };
  accept: (card: DbCard) => boolean;
}

/**
 * The next `limit` cards after the cursor in the listing's order, and whether more
 * follow. With `orderBy=updatedAt` the window bounds the walk by binary search.
 */
export function walk(state: TenantState, w: Walk, cursor: TokenPayload['c'] | undefined, limit: number): { cards: DbCard[]; hasMore: boolean } {
  const index = state.cards.indexes[ORDER_TO_FIELD[w.orderBy]];
  const items = index.items;
  const bounded = w.window && index.field === 'updatedAt';
  const cursorKey = cursor ? (cursor[0] ?? Number.NEGATIVE_INFINITY) : undefined;
  const cards: DbCard[] = [];
  const take = (card: DbCard): boolean => {
    if (w.window && (card.updatedAt < w.window.from || card.updatedAt > w.window.to)) return false;
    if (!w.accept(card)) return false;
    cards.push(card);
    return cards.length > limit;
  };
  if (w.direction === 'asc') {
    let i = bounded ? index.lowerBound(w.window!.from, '') : 0;
    if (cursor) i = Math.max(i, index.upperBound(cursorKey!, cursor[1]));
    for (; i < items.length; i++) {
      if (bounded && items[i].updatedAt > w.window!.to) break;
      if (take(items[i])) break;
    }
  } else {
    let i = bounded ? index.upperBound(w.window!.to, '\uffff') - 1 : items.length - 1;
    if (cursor) i = Math.min(i, index.lowerBound(cursorKey!, cursor[1]) - 1);
    for (; i >= 0; i--) {
      if (bounded && items[i].updatedAt < w.window!.from) break;
      if (take(items[i])) break;
    }
  }
  const hasMore = cards.length > limit;
  if (hasMore) cards.length = limit;
  return { cards, hasMore };
}

/** The filter every card listing applies: range, visibility, entry status, past cards. */
export function baseFilter(state: TenantState, user: SansanUser, q: CommonQuery): (card: DbCard) => boolean {
  const statuses = new Set(q.entryStatus);
  return (card) => {
    if (q.range === 'me' ? card.ownerUserId !== user.id : !state.canSee(user, card)) return false;
    if (!statuses.has(card.entryStatus)) return false;
    return q.includePastBizCards || !state.cards.isPast(card);
  };
}

/** `{data, hasMore, nextPageToken}`; the token is null on the last page (UNCONFIRMED: null vs absent). */
export function cardPage(
  ctx: ApiContext,
  user: SansanUser,
  listing: string,
  query: Record<string, unknown>,
  w: Walk & { includeTags: boolean },
  cursor: TokenPayload['c'] | undefined,
  limit: number,
): Record<string, unknown> {
  const { state, options } = ctx;
  const { cards, hasMore } = walk(state, w, cursor, limit);
  const last = cards[cards.length - 1];
  const field = ORDER_TO_FIELD[w.orderBy];
  const nextPageToken =
    hasMore && last
      ? encodeToken(state.tokenSecret, {
          e: listing,
          u: user.id,
          q: { ...query, limit },
          c: [last[field], last.id],
          x: state.clock.now() + ctx.limits.pageTokenTtlSeconds * 1000,
        })
      : null;
  return {
    data: cards.map((c) => apiCard(state, user, c, w.includeTags, options.utcOffsetMinutes)),
    hasMore,
    nextPageToken,
  };
}
