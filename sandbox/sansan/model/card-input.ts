/**
 * The fields a card is created or changed with, as `POST /bizCards` names them
 * (reference §A.3: names ≤ 250, postalCode ≤ 10, memo ≤ 2000, tagIds ≤ 15, at least one
 * of companyName/firstName/lastName). Limits not in the reference are 250 (UNCONFIRMED).
 */
import { z } from 'zod';
import { formatDate } from '../clock.ts';
import { randomHexId } from '../random.ts';
import { CARD_TEXT_FIELDS, makeCard, normalizeText, type CardTextField, type DbCard, type EntryStatus } from './cards.ts';
import type { TenantState } from './tenant.ts';

const MAX_LENGTH: Partial<Record<CardTextField, number>> = { postalCode: 10, memo: 2000, url: 500 };

const text = (field: CardTextField) => z.string().max(MAX_LENGTH[field] ?? 250, `${field} must be at most ${MAX_LENGTH[field] ?? 250} characters`);

export const exchangeDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'exchangeDate must be YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'exchangeDate is not a date');

/** Every text field, each optional; null clears it (PATCH) or leaves it empty. */
export const cardFieldsShape = Object.fromEntries(CARD_TEXT_FIELDS.map((f) => [f, text(f).nullable().optional()])) as Record<
  CardTextField,
  z.ZodOptional<z.ZodNullable<z.ZodString>>
>;

export type CardFields = Partial<Record<CardTextField, string | null>> & { exchangeDate?: string };

export function hasName(fields: CardFields): boolean {
  return ['companyName', 'firstName', 'lastName'].some((f) => (fields[f as CardTextField] ?? '').trim() !== '');
}

export interface NewCardOptions {
  ownerUserId: string;
  entryStatus: EntryStatus;
  visibility: 'all' | 'owner';
  tagIds: string[];
  personId?: string;
}

/** A card created now: stamped times, the person and company it joins, today's exchange date unless given. */
export function newCard(state: TenantState, fields: CardFields, options: NewCardOptions, utcOffsetMinutes: number): DbCard {
  const now = state.clock.stamp();
  const text = Object.fromEntries(CARD_TEXT_FIELDS.map((f) => [f, emptyToNull(fields[f])]));
  const card = makeCard({
    ...text,
    id: uniqueId(state),
    personId: '',
    companyId: null,
    ownerUserId: options.ownerUserId,
    visibility: options.visibility,
    entryStatus: options.entryStatus,
    exchangeDate: fields.exchangeDate ?? formatDate(now, utcOffsetMinutes),
    registeredAt: now,
    updatedAt: now,
    completedAt: options.entryStatus === 'completed' ? now : null,
    tagIds: options.tagIds,
  });
  card.companyId = companyIdFor(state, card.companyName);
  card.personId = options.personId ?? (options.entryStatus === 'completed' ? state.matchPerson(card) : undefined) ?? randomHexId();
  return card;
}

/** The company id of other cards with the same company name, else a new one (null without a name). */
export function companyIdFor(state: TenantState, companyName: string | null): string | null {
  const name = normalizeText(companyName);
  if (!name) return null;
  for (const other of state.cards.byId.values()) {
    if (other.companyId && normalizeText(other.companyName) === name) return other.companyId;
  }
  return randomHexId();
}

export function emptyToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

function uniqueId(state: TenantState): string {
  for (;;) {
    const id = randomHexId();
    if (!state.cards.byId.has(id)) return id;
  }
}
