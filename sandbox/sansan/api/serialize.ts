import { formatTime } from '../clock.ts';
import type { SansanUser } from '../options.ts';
import { CARD_TEXT_FIELDS, type DbCard } from '../model/cards.ts';
import type { DbTag } from '../model/tags.ts';
import type { TenantState } from '../model/tenant.ts';

export type ApiCard = Record<string, unknown>;

/**
 * A card as the API answers it (reference §A.5): ids, `exchangeDate`, times in the
 * tenant's offset, `owner {id, name}`, the split address and contact fields (null when
 * the card has none), and with `includeTags` the tags the caller may see.
 */
export function apiCard(state: TenantState, viewer: SansanUser, card: DbCard, includeTags: boolean, offsetMinutes: number): ApiCard {
  const owner = state.user(card.ownerUserId);
  const out: ApiCard = {
    id: card.id,
    personId: card.personId,
    companyId: card.companyId,
    exchangeDate: card.exchangeDate,
    registeredTime: formatTime(card.registeredAt, offsetMinutes),
    updatedTime: formatTime(card.updatedAt, offsetMinutes),
    completedTime: card.completedAt === null ? null : formatTime(card.completedAt, offsetMinutes),
    entryStatus: card.entryStatus,
    owner: { id: card.ownerUserId, name: owner?.name ?? null },
  };
  for (const field of CARD_TEXT_FIELDS) out[field] = card[field];
  if (includeTags) out.tags = state.visibleTags(viewer, card).map((t) => apiTag(state, t));
  return out;
}

export function apiTag(state: TenantState, tag: DbTag): Record<string, unknown> {
  return { id: tag.id, name: tag.name, type: tag.type, owner: { id: tag.ownerUserId, name: state.user(tag.ownerUserId)?.name ?? null } };
}

const nullableString = { type: ['string', 'null'] } as const;
const ownerSchema = { type: 'object', properties: { id: { type: 'string' }, name: nullableString } } as const;

/**
 * The JSON schema of a card listing's 200 answer. Fastify compiles it into a
 * serializer about three times faster than JSON.stringify for a 300-card page.
 * Every card field must be listed here: a field left out would be dropped silently.
 */
export const cardPageSchema = {
  type: 'object',
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...Object.fromEntries(
            ['id', 'personId', 'companyId', 'exchangeDate', 'registeredTime', 'updatedTime', 'completedTime', 'entryStatus'].map((k) => [k, nullableString]),
          ),
          owner: ownerSchema,
          ...Object.fromEntries(CARD_TEXT_FIELDS.map((k) => [k, nullableString])),
          tags: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' }, owner: ownerSchema } },
          },
        },
      },
    },
    hasMore: { type: 'boolean' },
    nextPageToken: nullableString,
  },
} as const;
