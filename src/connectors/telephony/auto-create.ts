/**
 * T5: an unknown number becomes a HubSpot contact named
 * `Automatic New Contact - <number>` before its call is logged, so the call is
 * associated with it. One contact per number, however many calls arrive at
 * once: the first claims the number in the database, the others wait for its
 * contact (in this process, on the same promise). A claim left behind by a
 * crash is taken over after checking HubSpot: at once when the claim is this
 * process's own (an attempt that lost its database connection), after a
 * minute when another process made it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { Logger } from '../../logger.ts';
import type { HubSpotApi } from '../../hubspot/api.ts';
import type { BatchWriter } from '../../hubspot/batch-writer.ts';
import type { PhoneIndex } from '../../hubspot/phone/index.ts';
import { RemoteUnavailableError } from '../../errors.ts';
import { autoCreatedContacts } from './schema.ts';

export const AUTO_CONTACT_PREFIX = 'Automatic New Contact - ';
/** A claim older than this without a contact id belongs to a process that died. */
const STALE_CLAIM_MS = 60_000;
/** How long a call waits for another process's claim before its job retries. */
const WAIT_FOR_CLAIM_MS = 20_000;

export interface AutoCreateDeps {
  db: Db;
  api: HubSpotApi;
  writer: BatchWriter;
  index: PhoneIndex;
  log: Logger;
}

/** The auto-created contacts of one running Spokes. */
export class AutoCreatedContacts {
  readonly #deps: AutoCreateDeps;
  /** Names this process's claims: a claim of its own with nothing in flight is an attempt that ended without its contact id. */
  readonly #process = randomUUID();
  /** Numbers this process is finding or creating a contact for: a second call from the number waits on the first. */
  readonly #inflight = new Map<string, Promise<string>>();
  /** Contacts created in HubSpot whose id the database did not take (its connection was lost): stored on the next try. */
  readonly #unsaved = new Map<string, string>();

  constructor(deps: AutoCreateDeps) {
    this.#deps = deps;
  }

  /** The contact for `e164`, created if Spokes never created one. Returns its HubSpot id. */
  findOrCreate(e164: string, portalId: number, signal?: AbortSignal): Promise<string> {
    const running = this.#inflight.get(e164);
    if (running) return running;
    const attempt = this.#findOrCreate(e164, portalId, signal).finally(() => this.#inflight.delete(e164));
    this.#inflight.set(e164, attempt);
    return attempt;
  }

  async #findOrCreate(e164: string, portalId: number, signal?: AbortSignal): Promise<string> {
    const { db } = this.#deps;
    const unsaved = this.#unsaved.get(e164);
    if (unsaved) return this.#saved(e164, unsaved, portalId);
    for (let waited = 0; ; waited += 250) {
      const claimed = await db
        .insert(autoCreatedContacts)
        .values({ e164, claimedBy: this.#process })
        .onConflictDoNothing()
        .returning({ e164: autoCreatedContacts.e164 });
      if (claimed.length) return this.#guarded(e164, () => this.#create(e164, portalId));
      const [row] = await db.select().from(autoCreatedContacts).where(eq(autoCreatedContacts.e164, e164));
      if (row?.contactId) return row.contactId;
      // Take over a dead claim, once: only the process that moves claimed_at wins. This process's own claim is
      // dead as soon as nothing here is creating the contact (this attempt is the only one for the number).
      const mine = row?.claimedBy === this.#process;
      if (row && (mine || Date.now() - row.claimedAt.getTime() > STALE_CLAIM_MS)) {
        const taken = await db
          .update(autoCreatedContacts)
          .set({ claimedAt: new Date(), claimedBy: this.#process })
          .where(
            and(
              eq(autoCreatedContacts.e164, e164),
              isNull(autoCreatedContacts.contactId),
              or(eq(autoCreatedContacts.claimedBy, this.#process), lt(autoCreatedContacts.claimedAt, new Date(Date.now() - STALE_CLAIM_MS))),
            ),
          )
          .returning({ e164: autoCreatedContacts.e164 });
        if (taken.length)
          return this.#guarded(e164, async () => {
            const existing = await this.#existingInHubSpot(e164);
            return existing ? this.#saved(e164, existing, portalId) : this.#create(e164, portalId);
          });
      }
      // No number in the message: it is logged and kept with the job.
      if (waited > WAIT_FOR_CLAIM_MS) throw new RemoteUnavailableError("the contact for this caller's number is still being created; will retry");
      await sleep(250, undefined, { signal });
    }
  }

  /**
   * The creation failed (HubSpot unreachable, rate limited): the claim is marked as dead at once, so the
   * next call from this number — or this job's retry — takes over without waiting for it to go stale.
   * The contact may have been created all the same: the taker looks for it in HubSpot first. When the
   * database is what failed, the claim stays this process's own, which its next attempt takes over.
   */
  async #guarded(e164: string, work: () => Promise<string>): Promise<string> {
    try {
      return await work();
    } catch (err) {
      await this.#deps.db
        .update(autoCreatedContacts)
        .set({ claimedAt: new Date(0) })
        .where(and(eq(autoCreatedContacts.e164, e164), isNull(autoCreatedContacts.contactId)))
        .catch(() => {});
      throw err;
    }
  }

  async #create(e164: string, portalId: number): Promise<string> {
    const name = `${AUTO_CONTACT_PREFIX}${e164}`;
    const record = await this.#deps.writer.create('contacts', { properties: { firstname: name, phone: e164 } });
    this.#deps.log.info({ contactId: record.id }, 'created a contact for an unknown number');
    this.#unsaved.set(e164, record.id);
    return this.#saved(e164, record.id, portalId);
  }

  /**
   * Stores the contact's id on the claim and indexes it, so the next call from this number matches without
   * waiting for a webhook. Returns the number's contact: another process's, if it stored one first.
   */
  async #saved(e164: string, contactId: string, portalId: number): Promise<string> {
    const { db } = this.#deps;
    const stored = await db
      .update(autoCreatedContacts)
      .set({ contactId, createdAt: new Date() })
      .where(and(eq(autoCreatedContacts.e164, e164), or(isNull(autoCreatedContacts.contactId), eq(autoCreatedContacts.contactId, contactId))))
      .returning({ e164: autoCreatedContacts.e164 });
    this.#unsaved.delete(e164);
    if (!stored.length) {
      const [row] = await db.select({ contactId: autoCreatedContacts.contactId }).from(autoCreatedContacts).where(eq(autoCreatedContacts.e164, e164));
      if (row?.contactId) return row.contactId;
    }
    const name = `${AUTO_CONTACT_PREFIX}${e164}`;
    await this.#deps.index.upsert(portalId, [
      { objectType: 'contact', objectId: contactId, label: name, companyId: null, modifiedAt: new Date(), phones: { phone: e164 } },
    ]);
    return contactId;
  }

  /** After a crash mid-creation: the contact may exist already (created with this exact phone). */
  async #existingInHubSpot(e164: string): Promise<string | undefined> {
    const found = await this.#deps.api.call('looking up an auto-created contact', (c) =>
      c.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ' as never, value: e164 }] }],
        properties: ['firstname', 'phone'],
        limit: 10,
      }),
    );
    return found.results.find((r) => r.properties.firstname === `${AUTO_CONTACT_PREFIX}${e164}`)?.id;
  }
}
