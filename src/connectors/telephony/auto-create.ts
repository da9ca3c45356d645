/**
 * T5: an unknown number becomes a HubSpot contact named
 * `Automatic New Contact - <number>` before its call is logged, so the call is
 * associated with it. One contact per number, however many calls arrive at
 * once: the first claims the number in the database, the others wait for its
 * contact. A claim left behind by a crash is taken over after checking HubSpot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNull, lt } from 'drizzle-orm';
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

export interface AutoCreateDeps {
  db: Db;
  api: HubSpotApi;
  writer: BatchWriter;
  index: PhoneIndex;
  log: Logger;
}

/** The contact for `e164`, created if Spokes never created one. Returns its HubSpot id. */
export async function findOrCreateContact(deps: AutoCreateDeps, e164: string, portalId: number, signal?: AbortSignal): Promise<string> {
  const { db } = deps;
  for (let waited = 0; ; waited += 250) {
    const claimed = await db.insert(autoCreatedContacts).values({ e164 }).onConflictDoNothing().returning({ e164: autoCreatedContacts.e164 });
    if (claimed.length) return create(deps, e164, portalId).catch((err: unknown) => release(deps, e164, err));
    const [row] = await db.select().from(autoCreatedContacts).where(eq(autoCreatedContacts.e164, e164));
    if (row?.contactId) return row.contactId;
    if (row && Date.now() - row.claimedAt.getTime() > STALE_CLAIM_MS) {
      // Take over a dead claim, once: only the process that moves claimed_at wins.
      const taken = await db
        .update(autoCreatedContacts)
        .set({ claimedAt: new Date() })
        .where(
          and(
            eq(autoCreatedContacts.e164, e164),
            isNull(autoCreatedContacts.contactId),
            lt(autoCreatedContacts.claimedAt, new Date(Date.now() - STALE_CLAIM_MS)),
          ),
        )
        .returning({ e164: autoCreatedContacts.e164 });
      if (taken.length) {
        try {
          return (await existingInHubSpot(deps, e164)) ?? (await create(deps, e164, portalId));
        } catch (err) {
          return release(deps, e164, err);
        }
      }
    }
    // No number in the message: it is logged and kept with the job.
    if (waited > 20_000) throw new RemoteUnavailableError("the contact for this caller's number is still being created; will retry");
    await sleep(250, undefined, { signal });
  }
}

/**
 * The creation failed (HubSpot unreachable, rate limited): the claim is marked as dead at once, so the
 * next call from this number — or this job's retry — takes over without waiting for it to go stale.
 * The contact may have been created all the same: the taker looks for it in HubSpot first.
 */
async function release(deps: AutoCreateDeps, e164: string, err: unknown): Promise<never> {
  await deps.db
    .update(autoCreatedContacts)
    .set({ claimedAt: new Date(0) })
    .where(and(eq(autoCreatedContacts.e164, e164), isNull(autoCreatedContacts.contactId)))
    .catch(() => {});
  throw err;
}

async function create(deps: AutoCreateDeps, e164: string, portalId: number): Promise<string> {
  const name = `${AUTO_CONTACT_PREFIX}${e164}`;
  const record = await deps.writer.create('contacts', { properties: { firstname: name, phone: e164 } });
  await deps.db.update(autoCreatedContacts).set({ contactId: record.id, createdAt: new Date() }).where(eq(autoCreatedContacts.e164, e164));
  // Indexed at once, so the next call from this number matches without waiting for a webhook.
  await deps.index.upsert(portalId, [
    { objectType: 'contact', objectId: record.id, label: name, companyId: null, modifiedAt: new Date(), phones: { phone: e164 } },
  ]);
  deps.log.info({ contactId: record.id }, 'created a contact for an unknown number');
  return record.id;
}

/** After a crash mid-creation: the contact may exist already (created with this exact phone). */
async function existingInHubSpot(deps: AutoCreateDeps, e164: string): Promise<string | undefined> {
  const found = await deps.api.call('looking up an auto-created contact', (c) =>
    c.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ' as never, value: e164 }] }],
      properties: ['firstname', 'phone'],
      limit: 10,
    }),
  );
  const mine = found.results.find((r) => r.properties.firstname === `${AUTO_CONTACT_PREFIX}${e164}`);
  if (mine) await deps.db.update(autoCreatedContacts).set({ contactId: mine.id, createdAt: new Date() }).where(eq(autoCreatedContacts.e164, e164));
  return mine?.id;
}
