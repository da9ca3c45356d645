/**
 * Where PBX events go, whichever way they arrive (the event stream or a
 * webhook): a finished call's record becomes a call-logging job (deduplicated
 * by the record's id), a ringing phone becomes a pop-up for its user, a gap in
 * the stream becomes a back-fill job. Nothing flows while the integration is
 * disabled (T9).
 */
import type { Logger } from '../../logger.ts';
import type { ConnectorQueue } from '../../platform/connector.ts';
import { backfillJob, logCallJob, syncContactJob } from './jobs.ts';
import type { HubSpotService } from '../../hubspot/service.ts';
import type { PhoneIndexing } from '../../hubspot/phone/index.ts';
import { normalizePhone } from '../../hubspot/phone/index.ts';
import { PbxDialError, type PbxEvent, type PbxCallEvent, type PbxCallFailedEvent } from './pbx.ts';
import type { PbxConnectionRecord, PbxStore } from './pbx-store.ts';
import type { BindingStore } from './bindings.ts';
import type { LiveBus, LiveMatch } from './live.ts';
import { toCdrPayload } from './call-record.ts';
import type { AutoCreatedContacts } from './auto-create.ts';
import type { PortalInfo } from '../../hubspot/portal.ts';

export interface RouterDeps {
  log: Logger;
  store: PbxStore;
  bindings: BindingStore;
  phone: PhoneIndexing;
  hubspot: HubSpotService;
  queue: () => ConnectorQueue;
  live: LiveBus;
  autoCreate: AutoCreatedContacts;
  defaultRegion: string;
  /** The connected HubSpot account (cached). */
  portal: () => Promise<PortalInfo>;
  /** Whether the PBX's record of this call was already handled (a `call_logs` row): the call is over. */
  callRecorded(callId: string): Promise<boolean>;
}

/** How far a call has got: a state is never published after one of a higher rank (events may arrive reordered). */
const STATE_RANK: Record<string, number> = { ringing: 0, answered: 1, held: 1, ended: 2, failed: 2 };
const MAX_TRACKED_CALLS = 10_000;

/** How long a failure naming no party waits for the click-to-call that placed it to be known. */
const DIALLED_WAIT_MS = 2_000;
/**
 * Calls that ended are remembered this long (and at most MAX_ENDED_CALLS of them): a frame of one
 * delivered again later — a webhook retry, a replay — pops nothing (issue 9 item 10: a "ringing"
 * frame replayed 15 minutes after the end opened a tab). Older ones are found in `call_logs`.
 */
const ENDED_KEEP_MS = 24 * 3600_000;
const MAX_ENDED_CALLS = 100_000;
/** Events of an ended call still published this long after its end: the failure that follows a hang-up. */
const END_GRACE_MS = 60_000;

export class EventRouter {
  readonly #deps: RouterDeps;
  #connection: { value: PbxConnectionRecord | null; at: number } | undefined;
  /** What each live call's external party matched, looked up once per call. */
  readonly #matches = new Map<string, Promise<{ match: LiveMatch | null; searchUrl: string | null }>>();
  /**
   * Each live call's pop-up work, chained so that its events are published in the order received,
   * and kept off the event loop: a slow look-up or contact creation (HubSpot 429s) must never hold
   * up the call records behind it.
   */
  readonly #chains = new Map<string, Promise<void>>();
  /** The state last published per call and extension: duplicates and stale (reordered) states are dropped. */
  readonly #published = new Map<string, { state: string; rank: number }>();
  /** Click-to-call: the extension each recent dial came from (a failure before any phone rang names no extension). */
  readonly #dialled = new Map<string, string>();
  /** Calls known to have ended, with when (oldest first). */
  readonly #ended = new Map<string, number>();
  /** Calls whose first ring was checked against `call_logs` (most recent last). */
  readonly #seen = new Map<string, true>();
  /** Counters for the admin page and tests. */
  readonly counts = { cdrs: 0, calls: 0, failures: 0, gaps: 0, ignored: 0 };

  constructor(deps: RouterDeps) {
    this.#deps = deps;
  }

  /** Forgets the cached connection (after a settings change). */
  invalidate(): void {
    this.#connection = undefined;
  }

  async #current(): Promise<PbxConnectionRecord | null> {
    if (!this.#connection || Date.now() - this.#connection.at > 2_000) this.#connection = { value: await this.#deps.store.get(), at: Date.now() };
    return this.#connection.value;
  }

  async handle(event: PbxEvent): Promise<void> {
    const connection = await this.#current();
    if (!connection?.enabled) {
      this.counts.ignored++;
      return;
    }
    const queue = this.#deps.queue();
    switch (event.type) {
      case 'cdr':
        this.counts.cdrs++;
        if (event.cdr.callId) this.#markEnded(event.cdr.callId);
        await queue.enqueue(logCallJob, toCdrPayload(event.cdr));
        return;
      case 'gap': {
        this.counts.gaps++;
        const since = connection.loggingSince ?? event.backfill.from;
        const from = new Date(Math.max(event.backfill.from.getTime(), since.getTime() - 4 * 3600_000));
        await queue.enqueue(backfillJob, {
          from: from.toISOString(),
          to: event.backfill.to.toISOString(),
          reason: event.reason,
        });
        return;
      }
      case 'call':
        this.counts.calls++;
        this.#serialize(event.callId, () => this.#call(event, connection));
        return;
      case 'call_failed':
        this.counts.failures++;
        this.#serialize(event.callId, () => this.#failed(event));
        return;
      default:
        return;
    }
  }

  /** Click-to-call placed a call from `extension`: its failure goes to that user even when the PBX names no party. */
  dialled(callId: string, extension: string): void {
    this.#dialled.set(callId, extension);
    if (this.#dialled.size > MAX_TRACKED_CALLS) this.#dialled.delete(this.#dialled.keys().next().value!);
  }

  /** Resolves once the live work queued so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#chains.size) await Promise.allSettled([...this.#chains.values()]);
  }

  #serialize(callId: string, work: () => Promise<void>): void {
    const next = (this.#chains.get(callId) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => this.#deps.log.warn({ err: (err as Error).message, callId }, 'could not publish a live call event'));
    const tracked = next.finally(() => {
      if (this.#chains.get(callId) === tracked) this.#chains.delete(callId);
    });
    this.#chains.set(callId, tracked);
  }

  /**
   * False for what was already published for this call and extension (the same event by webhook and
   * WebSocket, a repeat), or for a state the call has moved past (reordered events). `detail` tells
   * apart events of one state that say more (the callee of a click-to-call, known once it is dialled).
   */
  #isNews(callId: string, extension: string, state: string, detail = ''): boolean {
    const rank = STATE_RANK[state] ?? 0;
    const key = `${callId}\u0000${extension}`;
    const last = this.#published.get(key);
    if (last && (last.state === `${state}|${detail}` || rank < last.rank)) return false;
    this.#published.delete(key);
    this.#published.set(key, { state: `${state}|${detail}`, rank });
    // Calls whose end never arrived must not pile up: the oldest entries go first.
    for (const old of this.#published.keys()) {
      if (this.#published.size <= MAX_TRACKED_CALLS) break;
      this.#published.delete(old);
    }
    if (state === 'ended' || state === 'failed') setTimeout(() => this.#published.delete(key), 60_000).unref();
    return true;
  }

  #markEnded(callId: string): void {
    if (this.#ended.has(callId)) return;
    this.#ended.set(callId, Date.now());
    for (const [old, at] of this.#ended) {
      if (this.#ended.size <= MAX_ENDED_CALLS && Date.now() - at < ENDED_KEEP_MS) break;
      this.#ended.delete(old);
    }
  }

  /**
   * Whether an event belongs to a call that is over: ended here more than a moment ago, or (for a call
   * this process never saw, e.g. after a restart) whose record was already logged. A late "ended" or
   * failure right after the end still goes through (the widget waits for it).
   */
  async #over(callId: string, state: string): Promise<boolean> {
    const endedAt = this.#ended.get(callId);
    if (endedAt !== undefined) return state === 'ringing' || state === 'answered' || state === 'held' || Date.now() - endedAt > END_GRACE_MS;
    if (state !== 'ringing' || this.#seen.has(callId)) return false;
    this.#seen.set(callId, true);
    if (this.#seen.size > MAX_TRACKED_CALLS) this.#seen.delete(this.#seen.keys().next().value!);
    return this.#deps.callRecorded(callId);
  }

  async #call(event: PbxCallEvent, connection: PbxConnectionRecord): Promise<void> {
    // A ring's caller is looked up while Spokes checks that the call is not over: the pop-up waits for one, not both.
    if (event.state === 'ringing' && event.externalNumber) void this.#lookup(event, connection);
    if (await this.#over(event.callId, event.state)) {
      this.counts.ignored++;
      return;
    }
    if (event.state === 'ended') {
      this.#markEnded(event.callId);
      setTimeout(() => this.#matches.delete(event.callId), 60_000).unref();
    }
    // Whose phone is involved: ringing extensions get the pop-up; every bound party sees the state.
    const extensions = event.state === 'ringing' && event.ringingExtensions.length ? event.ringingExtensions : event.extensions;
    for (const extension of extensions) {
      const binding = await this.#deps.bindings.byExtension(extension);
      if (!binding || !this.#isNews(event.callId, extension, event.state, `${event.direction}|${event.externalNumber}`)) continue;
      const { match, searchUrl } = event.externalNumber ? await this.#lookup(event, connection) : { match: null, searchUrl: null };
      this.#deps.live.publish({
        type: 'call',
        callId: event.callId,
        state: event.state,
        direction: event.direction,
        externalNumber: event.externalNumber,
        extension,
        ownerId: binding.ownerId,
        match,
        searchUrl,
        at: event.receivedAt.toISOString(),
      });
      // T4: a CRM record calling a bound user is copied into the PBX phonebook.
      if (
        event.state === 'ringing' &&
        event.direction === 'inbound' &&
        match &&
        connection.settings.contactSync.enabled &&
        connection.settings.contactSync.modules.includes(match.objectType === 'contact' ? 'contacts' : 'companies')
      ) {
        const queue = this.#deps.queue();
        await queue.enqueue(syncContactJob, { objectType: match.objectType, objectId: match.objectId, callId: event.callId });
      }
    }
  }

  #lookup(event: PbxCallEvent, connection: PbxConnectionRecord): Promise<{ match: LiveMatch | null; searchUrl: string | null }> {
    let pending = this.#matches.get(event.callId);
    if (!pending) {
      pending = this.#resolve(event, connection).catch((err) => {
        this.#deps.log.warn({ err: (err as Error).message, callId: event.callId }, 'caller lookup failed');
        return { match: null, searchUrl: null };
      });
      this.#matches.set(event.callId, pending);
    }
    return pending;
  }

  async #resolve(event: PbxCallEvent, connection: PbxConnectionRecord): Promise<{ match: LiveMatch | null; searchUrl: string | null }> {
    const { phone } = this.#deps;
    const region = connection.settings.numbers.defaultRegion ?? this.#deps.defaultRegion;
    const number = event.externalNumber!;
    const { portalId, appBase } = await this.#deps.portal();
    const found = (await phone.index.lookup(number, { region })).records[0];
    if (found)
      return {
        match: { objectType: found.objectType, objectId: found.objectId, label: found.label, url: phone.urlOf(found), autoCreated: false },
        searchUrl: null,
      };
    const e164 = normalizePhone(number, region)?.e164;
    // T5 + T7: an unknown inbound caller gets a contact at once, so the pop-up can open it.
    if (e164 && event.direction === 'inbound' && event.state === 'ringing' && connection.settings.autoCreate.inbound) {
      const contactId = await this.#deps.autoCreate.findOrCreate(e164, portalId);
      return {
        match: {
          objectType: 'contact',
          objectId: contactId,
          label: `Automatic New Contact - ${e164}`,
          url: `${appBase}/contacts/${portalId}/record/0-1/${contactId}`,
          autoCreated: true,
        },
        searchUrl: null,
      };
    }
    return { match: null, searchUrl: `${appBase}/contacts/${portalId}/objects/0-1/views/all/list?query=${encodeURIComponent(e164 ?? number)}` };
  }

  async #failed(event: PbxCallFailedEvent): Promise<void> {
    if (await this.#over(event.callId, 'failed')) {
      this.counts.ignored++;
      return;
    }
    // The caller's phone could not be rung (offline): the PBX reports no party, Spokes knows who dialled.
    // The PBX sends this right after answering call/dial, so it can overtake the dial's answer: wait for it a moment.
    for (let waited = 0; !event.extensions.length && !this.#dialled.has(event.callId) && waited < DIALLED_WAIT_MS; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const dialledFrom = this.#dialled.get(event.callId);
    const extensions = event.extensions.length ? event.extensions : dialledFrom ? [dialledFrom] : [];
    for (const extension of extensions) {
      const binding = await this.#deps.bindings.byExtension(extension);
      if (!binding || !this.#isNews(event.callId, extension, 'failed')) continue;
      this.#deps.live.publish({
        type: 'call_failed',
        callId: event.callId,
        state: 'failed',
        direction: null,
        externalNumber: event.externalNumber,
        extension,
        ownerId: binding.ownerId,
        match: null,
        searchUrl: null,
        reason: event.error.reason,
        message: event.extensions.length
          ? event.error.message
          : new PbxDialError(event.error.reason, { extension, number: event.externalNumber ?? undefined }).message,
        at: event.receivedAt.toISOString(),
      });
    }
  }
}
