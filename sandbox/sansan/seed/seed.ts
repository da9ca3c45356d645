/**
 * The seed generator (`POST /sandbox/seed`, option `seed`): a deterministic tenant of
 * business cards in Japanese and English with readings, several cards per person (the
 * older ones become past cards), cards sharing an e-mail (one person's cards, and a
 * company's info@ address on several persons' cards), cards without e-mail, a few
 * still being digitised or unreadable, and more than 300 tags of the three types.
 * Strings come from shared pools and times are numbers, so 100,000 cards take a few
 * tens of MB and about a second.
 */
import { formatDate } from '../clock.ts';
import { makeCard, type DbCard, type EntryStatus } from '../model/cards.ts';
import type { TagType } from '../model/tags.ts';
import type { TenantState } from '../model/tenant.ts';
import type { ResolvedSeed } from '../options.ts';
import { createRandom, flat, hexId, pick } from '../random.ts';
import { buildCompanies, type SeedCompany } from './seed-companies.ts';
import { EN_FIRST, EN_LAST, EVENT_TAGS, JP_FIRST, JP_LAST, STATUS_TAGS, TEAM_NAMES, type Name } from './seed-data.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const NO_TAGS: readonly string[] = Object.freeze([]);

export interface SeedSummary {
  cards: number;
  persons: number;
  tags: Record<TagType, number>;
  cardsWithoutEmail: number;
  cardsWithSharedInfoEmail: number;
  pastCards: number;
  durationMs: number;
}

/** Replaces the tenant's cards and tags with generated ones; users and keys stay. */
export function seedTenant(state: TenantState, seed: ResolvedSeed, utcOffsetMinutes: number): SeedSummary {
  const started = performance.now();
  const rnd = createRandom(seed.seed);
  const r = (n: number) => Math.floor(rnd() * n);
  const now = state.clock.now();
  state.cards.clear();
  state.tags.clear();

  const tagPools = seedTags(state, rnd, seed.tags);
  const companies = buildCompanies(rnd, Math.min(5_000, Math.max(10, Math.round(seed.cards / 25))));
  const userIds = state.users.map((u) => u.id);
  const dates = new DateStrings(utcOffsetMinutes);
  let made = 0;
  let withoutEmail = 0;
  let infoEmail = 0;
  let past = 0;

  while (made < seed.cards) {
    let company = pick(rnd, companies);
    const japanese = company.japanese ? rnd() < 0.92 : rnd() < 0.08;
    const [last, first] = japanese ? [pick(rnd, JP_LAST), pick(rnd, JP_FIRST)] : [pick(rnd, EN_LAST), pick(rnd, EN_FIRST)];
    const withReading = japanese || rnd() < 0.5;
    const emailKind = rnd();
    const personal = emailKind >= 0.11;
    let email = emailKind < 0.08 ? null : personal ? personalEmail(last, first, japanese, company, r) : `info@${company.domain}`;
    const mobile = rnd() < 0.6 ? mobileNumber(company, r) : null;
    const cardCount = Math.min(seed.cards - made, rnd() < 0.68 ? 1 : rnd() < 0.7 ? 2 : 3);
    const personId = hexId(rnd);
    let registered = now - Math.floor(rnd() * seed.days * DAY);
    for (let k = 0; k < cardCount; k++) {
      if (k > 0) {
        // A later card: promoted, moved department, or (one in four) changed company.
        registered = Math.min(now - MINUTE, registered + Math.floor(rnd() * (now - registered)));
        if (rnd() < 0.25) {
          company = pick(rnd, companies);
          if (personal) email = personalEmail(last, first, japanese, company, r);
        }
      }
      const status = entryStatus(rnd, registered, now);
      const card = baseCard(rnd, personId, registered, status, now, dates, userIds);
      if (status === 'completed') {
        fillCard(card, rnd, { last, first, japanese, withReading, company, email, mobile });
        card.tagIds = pickTags(rnd, tagPools, card.ownerUserId);
        if (!email) withoutEmail++;
        else if (!personal) infoEmail++;
      } else {
        card.personId = hexId(rnd);
      }
      state.cards.addBulk(card);
      state.clock.observe(card.updatedAt);
      made++;
    }
  }
  state.cards.finishBulk();
  for (const card of state.cards.byId.values()) if (state.cards.isPast(card)) past++;
  state.touch();
  const tagCounts: Record<TagType, number> = { public: 0, shared: 0, private: 0 };
  for (const tag of state.tags.list) tagCounts[tag.type]++;
  return {
    cards: made,
    persons: state.cards.personCount,
    tags: tagCounts,
    cardsWithoutEmail: withoutEmail,
    cardsWithSharedInfoEmail: infoEmail,
    pastCards: past,
    durationMs: Math.round(performance.now() - started),
  };
}

function baseCard(rnd: () => number, personId: string, registeredAt: number, status: EntryStatus, now: number, dates: DateStrings, userIds: string[]): DbCard {
  let completedAt: number | null = null;
  let updatedAt = registeredAt;
  if (status === 'completed') {
    // Scanned, then digitised within minutes to hours; a quarter edited later on.
    completedAt = Math.min(now, registeredAt + 10 * MINUTE + Math.floor(rnd() * 170 * MINUTE));
    updatedAt = rnd() < 0.25 ? completedAt + Math.floor(rnd() * (now - completedAt)) : completedAt;
  } else if (status === 'unreadable') {
    updatedAt = Math.min(now, registeredAt + 30 * MINUTE);
  }
  return makeCard({
    id: hexId(rnd),
    personId,
    companyId: null,
    ownerUserId: pick(rnd, userIds),
    visibility: rnd() < 0.03 ? 'owner' : 'all',
    entryStatus: status,
    exchangeDate: dates.of(registeredAt - Math.floor(rnd() * 14) * DAY),
    registeredAt,
    updatedAt,
    completedAt,
    tagIds: NO_TAGS,
  });
}

/** `YYYY-MM-DD` strings, one per day, shared by every card exchanged that day. */
class DateStrings {
  private readonly byDay = new Map<number, string>();
  private readonly offsetMinutes: number;

  constructor(offsetMinutes: number) {
    this.offsetMinutes = offsetMinutes;
  }

  of(ms: number): string {
    const day = Math.floor((ms + this.offsetMinutes * MINUTE) / DAY);
    let text = this.byDay.get(day);
    if (text === undefined) this.byDay.set(day, (text = formatDate(ms, this.offsetMinutes)));
    return text;
  }
}

function entryStatus(rnd: () => number, registered: number, now: number): EntryStatus {
  if (now - registered < 2 * DAY && rnd() < 0.4) return 'processing';
  return rnd() < 0.01 ? 'unreadable' : 'completed';
}

interface Person {
  last: Name;
  first: Name;
  japanese: boolean;
  withReading: boolean;
  company: SeedCompany;
  email: string | null;
  mobile: string | null;
}

function fillCard(card: DbCard, rnd: () => number, p: Person): void {
  const c = p.company;
  card.lastName = p.last[0];
  card.firstName = p.first[0];
  card.lastNameReading = p.withReading ? p.last[1] : null;
  card.firstNameReading = p.withReading ? p.first[1] : null;
  card.companyName = c.name;
  card.companyId = c.id;
  card.departmentName = rnd() < 0.85 ? pick(rnd, c.departments) : null;
  card.title = rnd() < 0.9 ? pick(rnd, c.titles) : null;
  card.email = p.email;
  card.mobile = p.mobile;
  card.tel = c.tel;
  card.secondTel = rnd() < 0.1 ? c.tel2 : null;
  card.fax = c.japanese && rnd() < 0.5 ? c.fax : null;
  card.url = rnd() < 0.8 ? c.url : null;
  card.countryCode = c.country;
  card.postalCode = c.postalCode;
  card.prefecture = c.prefecture;
  card.city = c.city;
  card.street = c.street;
  card.building = c.building;
  card.memo = rnd() < 0.1 ? (p.japanese ? `${pick(rnd, EVENT_TAGS)}にて名刺交換` : `Met at ${pick(rnd, EVENT_TAGS)}`) : null;
}

function personalEmail(last: Name, first: Name, japanese: boolean, company: SeedCompany, r: (n: number) => number): string {
  const local = japanese && r(2) === 0 ? `${last[2]}-${first[2][0]}` : `${first[2]}.${last[2]}`;
  return flat(`${local}@${company.domain}`);
}

function mobileNumber(company: SeedCompany, r: (n: number) => number): string {
  const four = () => String(r(10_000)).padStart(4, '0');
  return flat(company.japanese ? `0${[70, 80, 90][r(3)]}-${four()}-${four()}` : `${company.mobilePrefix}${four()}`);
}

interface TagPools {
  public: string[];
  sharedByUser: Map<string, string[]>;
  privateByUser: Map<string, string[]>;
}

/** Public event and status tags, tags shared within teams, and a few private lists per user. */
function seedTags(state: TenantState, rnd: () => number, count: number): TagPools {
  const users = state.users;
  const perUser = Math.min(8, Math.floor((count * 0.1) / users.length));
  const shared = Math.floor(count * 0.2);
  const publicCount = count - shared - perUser * users.length;
  const pools: TagPools = { public: [], sharedByUser: new Map(users.map((u) => [u.id, []])), privateByUser: new Map() };
  const add = (name: string, type: TagType, ownerUserId: string, sharedWithUserIds: readonly string[] = []) =>
    state.tags.add({ id: hexId(rnd), name, type, ownerUserId, sharedWithUserIds }).id;
  for (let i = 0; i < publicCount; i++) pools.public.push(add(publicTagName(i), 'public', pick(rnd, users).id));
  for (let i = 0; i < shared; i++) {
    const owner = pick(rnd, users);
    const others = users.filter((u) => u.id !== owner.id && rnd() < 0.6).map((u) => u.id);
    const id = add(`${TEAM_NAMES[i % TEAM_NAMES.length]} 共有リスト ${Math.floor(i / TEAM_NAMES.length) + 1}`, 'shared', owner.id, others);
    for (const userId of [owner.id, ...others]) pools.sharedByUser.get(userId)!.push(id);
  }
  for (const user of users) {
    const ids: string[] = [];
    for (let i = 1; i <= perUser; i++) ids.push(add(i % 2 ? `マイリスト ${i}` : `My follow-ups ${i}`, 'private', user.id));
    pools.privateByUser.set(user.id, ids);
  }
  return pools;
}

function publicTagName(i: number): string {
  if (i < STATUS_TAGS.length) return STATUS_TAGS[i];
  const n = i - STATUS_TAGS.length;
  const event = EVENT_TAGS[n % EVENT_TAGS.length];
  const slot = Math.floor(n / EVENT_TAGS.length);
  const year = 2026 - Math.floor(slot / 2);
  return `${event} ${year} ${slot % 2 ? '秋' : '春'}`;
}

/** 0–3 tags a card's owner could have set: mostly public, some shared with them, some private. */
function pickTags(rnd: () => number, pools: TagPools, ownerUserId: string): readonly string[] {
  const x = rnd();
  const count = x < 0.4 ? 0 : x < 0.7 ? 1 : x < 0.9 ? 2 : 3;
  if (count === 0) return NO_TAGS;
  const ids = new Set<string>();
  const own = pools.privateByUser.get(ownerUserId) ?? [];
  const shared = pools.sharedByUser.get(ownerUserId) ?? [];
  for (let i = 0; i < count; i++) {
    const y = rnd();
    if (y < 0.8 || (!own.length && !shared.length)) {
      if (pools.public.length) ids.add(pick(rnd, pools.public));
    } else if (y < 0.93 && shared.length) ids.add(pick(rnd, shared));
    else if (own.length) ids.add(pick(rnd, own));
  }
  return [...ids];
}
