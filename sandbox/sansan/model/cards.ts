import { SortedCards, type SortField } from './sorted-cards.ts';

export type EntryStatus = 'processing' | 'completed' | 'unreadable';
export const ENTRY_STATUSES: readonly EntryStatus[] = ['processing', 'completed', 'unreadable'];

/** The text fields of a card, named as the Open API names them (reference §A.3, §A.5). */
export const CARD_TEXT_FIELDS = [
  'lastName',
  'firstName',
  'lastNameReading',
  'firstNameReading',
  'departmentName',
  'title',
  'companyName',
  'countryCode',
  'postalCode',
  'prefecture',
  'city',
  'street',
  'building',
  'email',
  'mobile',
  'tel',
  'secondTel',
  'fax',
  'url',
  'memo',
] as const;
export type CardTextField = (typeof CARD_TEXT_FIELDS)[number];

/** A business card as the emulator stores it; times are epoch ms. */
export interface DbCard extends Record<CardTextField, string | null> {
  id: string;
  personId: string;
  companyId: string | null;
  ownerUserId: string;
  /** 'all': every user allowed to see the tenant's cards; 'owner': only its owner (docs: "Visibility"). */
  visibility: 'all' | 'owner';
  entryStatus: EntryStatus;
  exchangeDate: string;
  registeredAt: number;
  updatedAt: number;
  completedAt: number | null;
  tagIds: readonly string[];
}

/**
 * A card object with every field present in one fixed order, so all cards share one
 * shape (fast property access and compact memory for 100,000 of them).
 */
export function makeCard(init: Omit<DbCard, CardTextField> & Partial<Record<CardTextField, string | null>>): DbCard {
  return {
    id: init.id,
    personId: init.personId,
    companyId: init.companyId,
    ownerUserId: init.ownerUserId,
    visibility: init.visibility,
    entryStatus: init.entryStatus,
    exchangeDate: init.exchangeDate,
    registeredAt: init.registeredAt,
    updatedAt: init.updatedAt,
    completedAt: init.completedAt,
    tagIds: init.tagIds,
    lastName: init.lastName ?? null,
    firstName: init.firstName ?? null,
    lastNameReading: init.lastNameReading ?? null,
    firstNameReading: init.firstNameReading ?? null,
    departmentName: init.departmentName ?? null,
    title: init.title ?? null,
    companyName: init.companyName ?? null,
    countryCode: init.countryCode ?? null,
    postalCode: init.postalCode ?? null,
    prefecture: init.prefecture ?? null,
    city: init.city ?? null,
    street: init.street ?? null,
    building: init.building ?? null,
    email: init.email ?? null,
    mobile: init.mobile ?? null,
    tel: init.tel ?? null,
    secondTel: init.secondTel ?? null,
    fax: init.fax ?? null,
    url: init.url ?? null,
    memo: init.memo ?? null,
  };
}

interface Person {
  cards: DbCard[];
  /** The newest completed card; undefined = to be computed again. */
  head?: DbCard | null;
}

const SORT_FIELDS: readonly SortField[] = ['registeredAt', 'updatedAt', 'completedAt'];

/**
 * Every card of the tenant, by id, in three time orders, and grouped by person.
 * A person's newest completed card (exchange date, then registration) is its head;
 * its other completed cards are "past cards" (`includePastBizCards`).
 */
export class CardStore {
  readonly byId = new Map<string, DbCard>();
  readonly indexes: Record<SortField, SortedCards>;
  private readonly persons = new Map<string, Person>();

  constructor() {
    this.indexes = { registeredAt: new SortedCards('registeredAt'), updatedAt: new SortedCards('updatedAt'), completedAt: new SortedCards('completedAt') };
  }

  get size(): number {
    return this.byId.size;
  }

  get personCount(): number {
    return this.persons.size;
  }

  add(card: DbCard): void {
    this.byId.set(card.id, card);
    for (const field of SORT_FIELDS) this.indexes[field].insert(card);
    this.join(card);
  }

  /** Adds without ordering; `finishBulk()` sorts once at the end (seed, snapshot). */
  addBulk(card: DbCard): void {
    this.byId.set(card.id, card);
    for (const field of SORT_FIELDS) this.indexes[field].items.push(card);
    this.join(card);
  }

  finishBulk(): void {
    for (const field of SORT_FIELDS) this.indexes[field].sortAll();
  }

  /** Applies `change` to the card, keeping the orders and the person grouping right. */
  update(card: DbCard, change: (card: DbCard) => void): void {
    for (const field of SORT_FIELDS) this.indexes[field].remove(card);
    this.leave(card);
    change(card);
    for (const field of SORT_FIELDS) this.indexes[field].insert(card);
    this.join(card);
  }

  remove(card: DbCard): void {
    this.byId.delete(card.id);
    for (const field of SORT_FIELDS) this.indexes[field].remove(card);
    this.leave(card);
  }

  clear(): void {
    this.byId.clear();
    this.persons.clear();
    for (const field of SORT_FIELDS) this.indexes[field].clear();
  }

  personCards(personId: string): readonly DbCard[] {
    return this.persons.get(personId)?.cards ?? [];
  }

  /** The person's newest completed card, or null when none is completed. */
  head(personId: string): DbCard | null {
    const person = this.persons.get(personId);
    if (!person) return null;
    if (person.head === undefined) {
      let best: DbCard | null = null;
      for (const c of person.cards) if (c.entryStatus === 'completed' && (!best || newer(c, best))) best = c;
      person.head = best;
    }
    return person.head;
  }

  /** A completed card that is not its person's head; cards still being digitised are never past. */
  isPast(card: DbCard): boolean {
    return card.entryStatus === 'completed' && this.head(card.personId) !== card;
  }

  private join(card: DbCard): void {
    const person = this.persons.get(card.personId);
    // An exact-size array: most persons have one card, and there are tens of thousands of them.
    if (!person) this.persons.set(card.personId, { cards: [card], head: undefined });
    else {
      person.cards.push(card);
      person.head = undefined;
    }
  }

  private leave(card: DbCard): void {
    const person = this.persons.get(card.personId);
    if (!person) return;
    const at = person.cards.indexOf(card);
    if (at >= 0) person.cards.splice(at, 1);
    if (person.cards.length === 0) this.persons.delete(card.personId);
    else person.head = undefined;
  }
}

function newer(a: DbCard, b: DbCard): boolean {
  if (a.exchangeDate !== b.exchangeDate) return a.exchangeDate > b.exchangeDate;
  if (a.registeredAt !== b.registeredAt) return a.registeredAt > b.registeredAt;
  return a.id > b.id;
}

/** Lower-cased, trimmed e-mail for comparisons (search `email` is an exact match). */
export function normalizeEmail(email: string | null): string {
  return (email ?? '').trim().toLowerCase();
}

/** Name, company and the like compared without width, case or spaces (full-width ＡＢＣ = ABC). */
export function normalizeText(text: string | null): string {
  return (text ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}
