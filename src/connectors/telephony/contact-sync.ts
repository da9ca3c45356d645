/**
 * T4: CRM contacts (and companies) who call a bound user are copied into the
 * CRM-owned PBX phonebook, tagged with their HubSpot id. The phonebook is
 * read-only in effect: every sync and a periodic pass put the CRM's values
 * back over any edit made on the PBX. A record without a name or a phone
 * number is not synced and is listed with the reason.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import { NotFoundError, sqlState, ValidationError } from '../../errors.ts';
import type { PbxAdapter, PbxContact, PbxContactInput } from './pbx.ts';
import type { RecordLinks } from '../../sync/record-links.ts';
import type { SyncErrors } from '../../sync/sync-errors.ts';
import type { TelephonySettings } from './settings.ts';
import type { CrmReader } from '../../hubspot/crm-reader.ts';

export type SyncObjectType = 'contact' | 'company';

export interface ContactSyncDeps {
  log: Logger;
  /** The phone system's connection (its phonebook entries and sync errors are the platform's record links and sync errors). */
  connectionId(): Promise<string>;
  /** A phonebook entry: the HubSpot record (hubspotId) ↔ the PBX contact (remoteId), with the hash of what was written. */
  links: RecordLinks;
  syncErrors: SyncErrors;
  /** Reads CRM records, sharing batch reads between syncs that run close together. */
  reader: CrmReader;
  adapter: () => Promise<PbxAdapter>;
  /** Syncs of one record in this process, one after the other (keyed by connection, type and id). */
  inflight?: Map<string, Promise<unknown>>;
}

export type SyncResult = 'created' | 'updated' | 'unchanged' | 'not_synced';

/** What a PBX contact is built from, per CRM object type. */
export const SYNC_PROPERTIES: Record<SyncObjectType, string[]> = {
  contact: ['firstname', 'lastname', 'email', 'company', 'phone', 'mobilephone'],
  company: ['name', 'phone', 'domain'],
};

/** The tag Spokes writes into the PBX contact's remark to find its own contacts. */
export const tagFor = (type: SyncObjectType, id: string) => `hubspot:${type}:${id}`;

/** What the PBX contact must hold for a CRM record, or why it cannot be synced. */
export function desiredContact(type: SyncObjectType, id: string, p: Record<string, string | null | undefined>): PbxContactInput | { problem: string } {
  const v = (k: string) => (p[k] ?? '').trim();
  if (type === 'company') {
    if (!v('name')) return { problem: 'the company has no name' };
    if (!v('phone')) return { problem: 'the company has no phone number' };
    return { firstName: v('name'), company: v('name'), numbers: [{ type: 'work', number: v('phone') }], remark: tagFor(type, id) };
  }
  if (!v('firstname') && !v('lastname')) return { problem: 'the contact has neither a first name nor a last name' };
  const numbers = [
    ...(v('phone') ? [{ type: 'work' as const, number: v('phone') }] : []),
    ...(v('mobilephone') ? [{ type: 'mobile' as const, number: v('mobilephone') }] : []),
  ];
  if (!numbers.length) return { problem: 'the contact has no phone number' };
  // The PBX requires a first name: a contact known only by its last name keeps it there.
  return {
    firstName: v('firstname') || v('lastname'),
    lastName: v('firstname') ? v('lastname') : '',
    company: v('company'),
    email: v('email'),
    numbers,
    remark: tagFor(type, id),
  };
}

export function hashOf(input: PbxContactInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.firstName,
        input.lastName ?? '',
        input.company ?? '',
        input.email ?? '',
        input.numbers.map((n) => `${n.type}:${n.number}`).sort(),
        input.remark ?? '',
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}

/** What a PBX contact holds, in the same shape, to tell a PBX-side edit. */
function hashOfPbx(c: PbxContact): string {
  return hashOf({ firstName: c.firstName, lastName: c.lastName, company: c.company, email: c.email, numbers: c.numbers, remark: c.remark });
}

/**
 * Brings one record's PBX contact in line with the CRM (creating it if needed). A record that calls
 * several times at once gets one sync per call: in this process they run one after the other, so the
 * second finds the first one's contact; a sync in another process that created a second contact
 * meanwhile loses the race on the record link's unique HubSpot id, deletes the contact it created and
 * syncs again onto the winner's.
 */
export async function syncRecord(
  deps: ContactSyncDeps,
  settings: TelephonySettings,
  type: SyncObjectType,
  id: string,
  crm?: Record<string, string | null>,
): Promise<SyncResult> {
  const connectionId = await deps.connectionId();
  const inflight = deps.inflight;
  if (!inflight) return syncOnce(deps, connectionId, settings, type, id, crm);
  const key = `${connectionId}:${type}:${id}`;
  const before = inflight.get(key) ?? Promise.resolve();
  const run = before.catch(() => {}).then(() => syncOnce(deps, connectionId, settings, type, id, crm));
  inflight.set(key, run);
  try {
    return await run;
  } finally {
    if (inflight.get(key) === run) inflight.delete(key);
  }
}

async function syncOnce(
  deps: ContactSyncDeps,
  connectionId: string,
  settings: TelephonySettings,
  type: SyncObjectType,
  id: string,
  crm: Record<string, string | null> | undefined,
  retried = false,
): Promise<SyncResult> {
  const phonebookId = settings.contactSync.phonebookId;
  if (!phonebookId) throw new ValidationError('Choose the PBX phonebook for synced contacts on the Phone system page first.');
  const properties = crm ?? (await deps.reader.get(type, id));
  if (!properties) {
    await recordError(deps, connectionId, type, id, `the HubSpot ${type} no longer exists`);
    return 'not_synced';
  }
  const desired = desiredContact(type, id, properties);
  if ('problem' in desired) {
    await recordError(deps, connectionId, type, id, desired.problem);
    return 'not_synced';
  }
  const adapter = await deps.adapter();
  const hash = hashOf(desired);
  const entry = await deps.links.byHubSpotId(connectionId, type, id);
  let result: SyncResult;
  let pbxContactId: string;
  const current = entry
    ? await adapter.contacts.get(entry.remoteId).catch((err) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      })
    : null;
  if (current && current.phonebookIds.includes(phonebookId)) {
    pbxContactId = current.id;
    result = hashOfPbx(current) === hash ? 'unchanged' : 'updated';
    if (result === 'updated') await adapter.contacts.update(current.id, desired);
  } else {
    // Lost track of it (deleted on the PBX, or our row is gone): adopt a tagged contact, else create one.
    const [tagged] = (await adapter.contacts.findByTag(tagFor(type, id))).filter((c) => !c.phonebookIds || c.phonebookIds.includes(phonebookId));
    if (tagged) {
      await adapter.contacts.update(tagged.id, desired);
      pbxContactId = tagged.id;
      result = 'updated';
    } else {
      pbxContactId = (await adapter.contacts.create(phonebookId, desired)).id;
      result = 'created';
    }
  }
  // A contact adopted or created anew replaces the entry that pointed to a lost one.
  if (entry && entry.remoteId !== pbxContactId) await deps.links.remove({ connectionId, objectType: type, remoteId: entry.remoteId });
  try {
    await deps.links.markSynced({ connectionId, objectType: type, remoteId: pbxContactId }, { hubspotId: id, hashToRemote: hash });
  } catch (err) {
    // Another process linked this record to its own PBX contact meanwhile: ours would be a duplicate.
    if (sqlState(err) !== '23505' || result !== 'created' || retried) throw err;
    await adapter.contacts.delete(pbxContactId);
    deps.log.info({ type, id, pbxContactId }, 'PBX contact created twice by syncs running at once: the second one is deleted');
    return syncOnce(deps, connectionId, settings, type, id, crm, true);
  }
  await deps.syncErrors.resolveRecord(connectionId, type, id);
  if (result !== 'unchanged') deps.log.info({ type, id, result }, 'PBX phonebook contact synced');
  return result;
}

/**
 * The periodic pass: every synced record is re-read from the CRM and put back on the PBX if it drifted.
 * Then a second copy of a linked record in the phonebook (one Spokes created in a process that died before
 * it could delete it: see syncRecord) is deleted.
 */
export async function restorePhonebook(deps: ContactSyncDeps, settings: TelephonySettings): Promise<Record<SyncResult | 'duplicates_removed', number>> {
  const counts: Record<SyncResult | 'duplicates_removed', number> = { created: 0, updated: 0, unchanged: 0, not_synced: 0, duplicates_removed: 0 };
  const connectionId = await deps.connectionId();
  for (const type of ['contact', 'company'] as const) {
    const ids = (await allLinks(deps.links, connectionId, type)).flatMap((e) => (e.hubspotId ? [e.hubspotId] : []));
    if (!ids.length) continue;
    const crm = await deps.reader.getMany(type, ids);
    for (const id of ids) counts[await syncRecord(deps, settings, type, id, crm.get(id) ?? undefined)]++;
  }
  counts.duplicates_removed = await removeDuplicates(deps, settings, connectionId);
  return counts;
}

/** Deletes the phonebook's tagged contacts whose record is linked to another PBX contact; returns how many. */
async function removeDuplicates(deps: ContactSyncDeps, settings: TelephonySettings, connectionId: string): Promise<number> {
  const phonebookId = settings.contactSync.phonebookId;
  if (!phonebookId) return 0;
  const linked = new Map<string, string>();
  for (const type of ['contact', 'company'] as const) {
    for (const link of await allLinks(deps.links, connectionId, type)) if (link.hubspotId) linked.set(tagFor(type, link.hubspotId), link.remoteId);
  }
  if (!linked.size) return 0;
  const adapter = await deps.adapter();
  let removed = 0;
  for (const contact of await adapter.contacts.list(phonebookId)) {
    const keep = linked.get(contact.remark.trim());
    // A tagged contact whose record has no link is left alone: the next sync of that record adopts it.
    if (!keep || keep === contact.id) continue;
    await adapter.contacts.delete(contact.id);
    deps.log.info({ tag: contact.remark, pbxContactId: contact.id, kept: keep }, 'a second PBX contact of a synced record was deleted');
    removed++;
  }
  return removed;
}

/**
 * Gives a phonebook back to the PBX (T10 disconnect, or another phonebook chosen): no longer marked as
 * CRM-owned and no longer restored. Its contacts stay on the PBX, editable again. A phonebook already
 * gone from the PBX, or a PBX out of reach, leaves only the mark behind: the release goes on.
 */
export async function releasePhonebook(deps: Pick<ContactSyncDeps, 'connectionId' | 'links' | 'log' | 'adapter'>, phonebookId: string): Promise<void> {
  // The periodic pass restores what these links point to: without them, the old phonebook is left alone.
  const connectionId = await deps.connectionId();
  for (const type of ['contact', 'company'] as const) {
    for (const link of await allLinks(deps.links, connectionId, type)) await deps.links.remove({ connectionId, objectType: type, remoteId: link.remoteId });
  }
  await deps
    .adapter()
    .then((a) => a.phonebooks.setCrmOwned(phonebookId, false))
    .catch((err: unknown) => deps.log.warn({ err: (err as Error).message, phonebookId }, 'could not unmark the CRM phonebook'));
}

async function recordError(deps: ContactSyncDeps, connectionId: string, type: SyncObjectType, id: string, reason: string): Promise<void> {
  await deps.syncErrors.record({ connectionId, category: 'validation', objectType: type, recordId: id, reason });
}

/** Every phonebook entry of one object type, a page at a time. */
async function allLinks(links: RecordLinks, connectionId: string, type: SyncObjectType) {
  const out: Awaited<ReturnType<RecordLinks['list']>> = [];
  for (let after: string | undefined; ; ) {
    const page = await links.list(connectionId, type, { afterRemoteId: after, limit: 500 });
    out.push(...page);
    if (page.length < 500) return out;
    after = page.at(-1)!.remoteId;
  }
}
