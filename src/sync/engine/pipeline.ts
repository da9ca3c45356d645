/**
 * Several pages of a pass in flight at once, each saved as if the pages before
 * it had committed. A page's records are keyed by what their save reads and
 * writes — the record (`r:<remote id>`), its identity and the identity it had
 * before (`i:<identity>`). Pages are admitted one at a time, in order: the
 * records whose keys no earlier page in flight holds are saved at once (their
 * index rows, group members and link cannot change under them); the rest —
 * with every record sharing a key with them — wait for the parts holding those
 * keys to commit, then are saved on what those parts wrote. Writes of one
 * identity therefore reach HubSpot in page order, and the BatchWriter fills
 * its 100-input batches from every page in flight.
 *
 * A page is done when all its parts have committed; the engine advances the
 * checkpoint only past pages that are done, in order.
 */
import { type PageRows, type Row, storedIdentities } from './rows.ts';
import { saveRows, type SaveEnv } from './save.ts';
import type { SaveSummary } from './types.ts';

interface Holder {
  done: Promise<unknown>;
  /** For a record's key: the identity that part gives it (its identity once that part commits). */
  identity?: string | null;
}

type Item = { id: string; row?: Row; failed?: { id: string; reason: string }; keys: string[] };

export class PagePipeline {
  readonly #env: SaveEnv;
  /** Key → the latest part in flight holding it. */
  readonly #holders = new Map<string, Holder>();
  #admission: Promise<unknown> = Promise.resolve();

  constructor(env: SaveEnv) {
    this.#env = env;
  }

  /** Starts saving a page (after the pages added before it are admitted); resolves once all its records have committed. */
  add(page: PageRows): Promise<SaveSummary> {
    const admitted = this.#admission.then(() => this.#admit(page));
    this.#admission = admitted.catch(() => {});
    return admitted.then(async (parts) => {
      const summaries = await Promise.all(parts);
      const total: SaveSummary = { created: 0, updated: 0, unchanged: 0, excluded: 0, failing: 0 };
      for (const s of summaries) for (const k of Object.keys(total) as (keyof SaveSummary)[]) total[k] += s[k];
      return total;
    });
  }

  async #admit(page: PageRows): Promise<Promise<SaveSummary>[]> {
    const { db, connectionId, def } = this.#env;
    const before = await storedIdentities(db, connectionId, def.name, [...page.rows.keys()]);
    const items: Item[] = [];
    for (const row of page.rows.values()) {
      const id = row.src.id;
      const keys = [`r:${id}`];
      if (row.identity) keys.push(`i:${row.identity}`);
      const stored = before.get(id);
      if (stored) keys.push(`i:${stored}`);
      // In flight in an earlier page: the identity that page gives it is the one it leaves.
      const earlier = this.#holders.get(`r:${id}`)?.identity;
      if (earlier) keys.push(`i:${earlier}`);
      items.push({ id, row, keys });
    }
    for (const f of page.failed) items.push({ id: f.id, failed: f, keys: [`r:${f.id}`] });

    // Records touching a key an earlier part holds wait, and so does every record sharing a key with them.
    const waiting = new Set<Item>();
    const waitKeys = new Set<string>();
    for (const item of items) if (item.keys.some((k) => this.#holders.has(k))) waiting.add(item);
    for (let grew = true; grew; ) {
      grew = false;
      for (const item of waiting) for (const k of item.keys) waitKeys.add(k);
      for (const item of items) {
        if (!waiting.has(item) && item.keys.some((k) => waitKeys.has(k))) {
          waiting.add(item);
          grew = true;
        }
      }
    }
    const ready = items.filter((i) => !waiting.has(i));
    const later = items.filter((i) => waiting.has(i));
    const earlierParts = new Set<Promise<unknown>>();
    for (const item of later) for (const k of item.keys) if (this.#holders.has(k)) earlierParts.add(this.#holders.get(k)!.done);
    const parts: Promise<SaveSummary>[] = [];
    if (ready.length) parts.push(this.#start(ready, []));
    if (later.length) parts.push(this.#start(later, [...earlierParts]));
    return parts;
  }

  /** Saves these records once the parts they wait for have committed; holds their keys until it has too. */
  #start(items: Item[], after: Promise<unknown>[]): Promise<SaveSummary> {
    const rows = new Map<string, Row>();
    const failed: { id: string; reason: string }[] = [];
    for (const i of items) {
      if (i.row) rows.set(i.id, i.row);
      if (i.failed) failed.push(i.failed);
    }
    const done = (async () => {
      for (const r of await Promise.allSettled(after)) if (r.status === 'rejected') throw r.reason;
      return saveRows(this.#env, { rows, failed });
    })();
    const holder: Holder = { done };
    const held: string[] = [];
    for (const i of items) {
      for (const k of i.keys) {
        this.#holders.set(k, k.startsWith('r:') ? { done, identity: i.row?.identity ?? null } : holder);
        held.push(k);
      }
    }
    const release = () => {
      for (const k of held) if (this.#holders.get(k)?.done === done) this.#holders.delete(k);
    };
    done.then(release, release);
    return done;
  }
}
