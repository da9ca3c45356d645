/**
 * T3: which HubSpot user works on which PBX extension. Auto-bind pairs users
 * and extensions with the same e-mail (case-insensitive); an admin confirms
 * the proposal and may bind or unbind by hand. The binding decides a call's
 * owner and who gets the pop-up.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { HubSpotApi } from '../../hubspot/api.ts';
import { ValidationError } from '../../errors.ts';
import type { PbxExtension } from './pbx.ts';
import { extensionBindings } from './schema.ts';

export interface HubSpotUser {
  ownerId: string;
  userId: number | null;
  email: string | null;
  name: string;
}

export interface Binding {
  extension: string;
  ownerId: string;
  ownerEmail: string | null;
  ownerName: string | null;
  userId: number | null;
  source: 'auto' | 'manual';
}

/** Every active HubSpot owner of type PERSON, all pages (§5). */
export async function listHubSpotUsers(api: HubSpotApi): Promise<HubSpotUser[]> {
  const users: HubSpotUser[] = [];
  let after: string | undefined;
  do {
    const page = await api.call('listing HubSpot users', (c) => c.crm.owners.ownersApi.getPage(undefined, after, 100, false));
    for (const o of page.results) {
      if (o.type && o.type !== 'PERSON') continue;
      const name = [o.firstName, o.lastName].filter(Boolean).join(' ').trim() || o.email || `Owner ${o.id}`;
      users.push({ ownerId: o.id, userId: o.userId ?? null, email: o.email ?? null, name });
    }
    after = page.paging?.next?.after;
  } while (after);
  return users.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Every call logged and every live event looks its extension up: those look-ups share a copy kept this
 * long (this process's own changes show at once). What users ask for — their binding, the list — is read fresh.
 */
const CACHE_MS = 2_000;

export class BindingStore {
  readonly #db: Db;
  #cached: { at: number; value: Promise<Binding[]> } | undefined;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every binding, read now. */
  async list(): Promise<Binding[]> {
    const rows = await this.#db.select().from(extensionBindings);
    const all = rows.map(
      (r): Binding => ({ extension: r.extension, ownerId: r.ownerId, ownerEmail: r.ownerEmail, ownerName: r.ownerName, userId: r.userId, source: r.source }),
    );
    this.#cached = { at: Date.now(), value: Promise.resolve([...all]) };
    return all;
  }

  /** The user bound to an extension, from a copy at most a couple of seconds old (the hot path of call logging). */
  async byExtension(extension: string): Promise<Binding | null> {
    if (!this.#cached || Date.now() - this.#cached.at >= CACHE_MS) {
      const value = this.list();
      const entry = { at: Date.now(), value };
      this.#cached = entry;
      value.catch(() => {
        if (this.#cached === entry) this.#cached = undefined;
      });
    }
    return (await this.#cached!.value).find((b) => b.extension === extension) ?? null;
  }

  async byOwner(ownerId: string): Promise<Binding | null> {
    const [r] = await this.#db.select().from(extensionBindings).where(eq(extensionBindings.ownerId, ownerId));
    return r ? { extension: r.extension, ownerId: r.ownerId, ownerEmail: r.ownerEmail, ownerName: r.ownerName, userId: r.userId, source: r.source } : null;
  }

  /**
   * Replaces the bindings of the given owners (an extension of `null` unbinds). One user per
   * extension and one extension per user: a conflicting request is refused as a whole.
   */
  async apply(
    changes: { ownerId: string; extension: string | null }[],
    users: HubSpotUser[],
    extensions: PbxExtension[],
    source: 'auto' | 'manual',
  ): Promise<void> {
    const userById = new Map(users.map((u) => [u.ownerId, u]));
    const known = new Set(extensions.map((e) => e.number));
    const details: { field: string; message: string }[] = [];
    changes.forEach((c, i) => {
      if (!userById.has(c.ownerId)) details.push({ field: `body.bindings.${i}.ownerId`, message: `no HubSpot user with owner id ${c.ownerId}` });
      if (c.extension !== null && !known.has(c.extension))
        details.push({ field: `body.bindings.${i}.extension`, message: `the PBX has no extension ${c.extension}` });
    });
    const wanted = changes.filter((c) => c.extension !== null).map((c) => c.extension!);
    const dup = wanted.find((e, i) => wanted.indexOf(e) !== i);
    if (dup) details.push({ field: 'body.bindings', message: `extension ${dup} is given to two users` });
    if (details.length) throw new ValidationError(details.map((d) => d.message).join('; '), details);

    this.#cached = undefined;
    await this.#db.transaction(async (tx) => {
      const owners = changes.map((c) => c.ownerId);
      if (owners.length) await tx.delete(extensionBindings).where(inArray(extensionBindings.ownerId, owners));
      if (wanted.length) await tx.delete(extensionBindings).where(inArray(extensionBindings.extension, wanted));
      for (const c of changes) {
        if (c.extension === null) continue;
        const u = userById.get(c.ownerId)!;
        await tx
          .insert(extensionBindings)
          .values({ extension: c.extension, ownerId: u.ownerId, ownerEmail: u.email, ownerName: u.name, userId: u.userId, source });
      }
    });
    this.#cached = undefined;
  }

  async clear(): Promise<void> {
    this.#cached = undefined;
    await this.#db.delete(extensionBindings);
    this.#cached = undefined;
  }
}

/** Auto-bind (T3): each user with the extension that has the same e-mail, when exactly one does. */
export function proposeBindings(users: HubSpotUser[], extensions: PbxExtension[]): { ownerId: string; extension: string }[] {
  const byEmail = new Map<string, PbxExtension[]>();
  for (const e of extensions) {
    const key = e.email?.trim().toLowerCase();
    if (key) byEmail.set(key, [...(byEmail.get(key) ?? []), e]);
  }
  const proposals: { ownerId: string; extension: string }[] = [];
  for (const u of users) {
    const matches = u.email ? byEmail.get(u.email.trim().toLowerCase()) : undefined;
    if (matches?.length === 1) proposals.push({ ownerId: u.ownerId, extension: matches[0]!.number });
  }
  return proposals;
}
