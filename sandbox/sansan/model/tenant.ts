import { randomBytes } from 'node:crypto';
import { SansanClock } from '../clock.ts';
import { newApiKey } from '../random.ts';
import type { SansanUser } from '../options.ts';
import { CardStore, normalizeEmail, normalizeText, type DbCard } from './cards.ts';
import { TagStore, type DbTag } from './tags.ts';

/**
 * One Sansan tenant: its users (one API key each), cards and tags, and the clock.
 * `version` moves on every change, for the snapshot writer.
 */
export class TenantState {
  readonly clock = new SansanClock();
  readonly cards = new CardStore();
  readonly tags = new TagStore();
  users: SansanUser[] = [];
  private usersById = new Map<string, SansanUser>();
  private usersByKey = new Map<string, SansanUser>();
  /** Signs page tokens; kept in snapshots so tokens survive a restart. */
  tokenSecret: Buffer = randomBytes(32);
  version = 0;

  setUsers(users: SansanUser[]): void {
    this.users = users.map((u) => ({ ...u }));
    this.usersById = new Map(this.users.map((u) => [u.id, u]));
    this.usersByKey = new Map(this.users.map((u) => [u.apiKey, u]));
  }

  user(id: string): SansanUser | undefined {
    return this.usersById.get(id);
  }

  userByKey(key: string): SansanUser | undefined {
    return this.usersByKey.get(key);
  }

  /**
   * The user reissues their API key (Sansan: Settings → API key): the new one works at once, the
   * old one answers 401 from now on (UNCONFIRMED: whether Sansan keeps the old key alive a while).
   */
  reissueApiKey(userId: string): SansanUser | undefined {
    const user = this.usersById.get(userId);
    if (!user) return undefined;
    this.usersByKey.delete(user.apiKey);
    user.apiKey = newApiKey();
    this.usersByKey.set(user.apiKey, user);
    this.touch();
    return user;
  }

  touch(): void {
    this.version++;
  }

  /**
   * Who may see a card (docs "Visibility"): its owner always; other users only when they
   * may see the tenant's cards and the card is not restricted to its owner.
   */
  canSee(user: SansanUser, card: DbCard): boolean {
    return card.ownerUserId === user.id || (user.seesAllCards && card.visibility === 'all');
  }

  visibleTags(user: SansanUser, card: DbCard): DbTag[] {
    const out: DbTag[] = [];
    for (const id of card.tagIds) {
      const tag = this.tags.byId.get(id);
      if (tag && this.tags.visibleTo(user.id, tag)) out.push(tag);
    }
    return out;
  }

  /**
   * The person a new card belongs to (Sansan's own matching is not public): a completed
   * card with the same name and e-mail, else the same name at the same company.
   */
  matchPerson(card: Pick<DbCard, 'lastName' | 'firstName' | 'email' | 'companyName'>): string | undefined {
    const name = normalizeText(card.lastName) + '|' + normalizeText(card.firstName);
    if (name === '|') return undefined;
    const email = normalizeEmail(card.email);
    const company = normalizeText(card.companyName);
    let byCompany: string | undefined;
    for (const other of this.cards.byId.values()) {
      if (other.entryStatus !== 'completed') continue;
      if (normalizeText(other.lastName) + '|' + normalizeText(other.firstName) !== name) continue;
      if (email && normalizeEmail(other.email) === email) return other.personId;
      if (!byCompany && company && normalizeText(other.companyName) === company) byCompany = other.personId;
    }
    return byCompany;
  }
}
