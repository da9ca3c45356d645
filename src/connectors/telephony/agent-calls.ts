/**
 * The calls a salesperson's calling widget takes part in (C2–C4, issue 9
 * item 2, issue 10), kept in `agent_calls`: whose call it is, the engagement
 * HubSpot created for it, and the wrap-up until saved or dismissed.
 *
 * A call is a salesperson's when the PBX says so: they dialled it through the
 * agent API, or their extension's live events name it. Only then may their
 * widget claim it, report its engagement, or hang it up. An engagement id is
 * taken only after HubSpot confirms it is this call's — its external id is the
 * PBX call id the widget gave `outgoingCall`/`incomingCall`, its owner is the
 * salesperson, it was created during the call — and it belongs to one call
 * only (a unique index).
 */
import { and, desc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { ConflictError, NotFoundError, RemoteRejectedError, SpokesError } from '../../errors.ts';
import type { Db } from '../../db/open.ts';
import type { HubSpotApi } from '../../hubspot/api.ts';
import { agentCalls, callLogs } from './schema.ts';
import type { Binding } from './bindings.ts';
import type { LiveBus, LiveCallEvent } from './live.ts';

export type AgentCallRow = typeof agentCalls.$inferSelect;

/** HubSpot's clock and ours may differ a little: an engagement created this long before the call still counts. */
const CLOCK_SLACK_MS = 2 * 60_000;
/** A wrap-up nobody saved or dismissed is offered again for this long. */
const WRAP_UP_KEEP_MS = 12 * 3600_000;

/** What the widget is told about a call it loads into (defect 4) or left open (defect 2). */
export interface ApiAgentCall {
  callId: string;
  direction: 'inbound' | 'outbound';
  number: string | null;
  extension: string;
  /** ringing | answered | held while the call goes on; ended once it is over. */
  state: 'ringing' | 'answered' | 'held' | 'ended';
  /** The call's latest live event (who the caller is, when), if this process saw one. */
  live: LiveCallEvent | null;
  engagementId: string | null;
  wrapUp: { notes: string; disposition: string | null; view: Record<string, unknown> | null } | null;
}

export interface WrapUpChange {
  notes?: string;
  disposition?: string | null;
  view?: Record<string, unknown>;
  /** Saved to HubSpot (callCompleted succeeded), or closed without saving. */
  state?: 'saved' | 'dismissed';
}

export class AgentCalls {
  readonly #db: Db;
  readonly #live: LiveBus;
  readonly #api: HubSpotApi;

  constructor(deps: { db: Db; live: LiveBus; api: HubSpotApi }) {
    this.#db = deps.db;
    this.#live = deps.live;
    this.#api = deps.api;
  }

  async row(callId: string, ownerId: string): Promise<AgentCallRow | undefined> {
    const [row] = await this.#db
      .select()
      .from(agentCalls)
      .where(and(eq(agentCalls.callId, callId), eq(agentCalls.ownerId, ownerId)));
    return row;
  }

  /** The salesperson dialled this call through the agent API: it is theirs, and their widget announces it. */
  async dialled(binding: Binding, callId: string, number: string): Promise<void> {
    await this.#db
      .insert(agentCalls)
      .values({ callId, ownerId: binding.ownerId, direction: 'outbound', externalNumber: number, extension: binding.extension })
      .onConflictDoNothing();
  }

  /** The call if the PBX attributes it to this salesperson (their dial, or their live events); 404 otherwise. */
  async attributed(ownerId: string, callId: string): Promise<{ row?: AgentCallRow; live?: LiveCallEvent; since: Date }> {
    const row = await this.row(callId, ownerId);
    const live = this.#live.callOf(ownerId, callId);
    if (!row && !live) throw new NotFoundError(`no call ${callId} of yours: Spokes knows of no such call on your extension`);
    return { row, live: live?.latest, since: row?.claimedAt ?? new Date(live!.first.at) };
  }

  /**
   * The widget is about to announce a call to HubSpot (`incomingCall`), which creates an engagement:
   * the first widget to claim it creates it (`create`), any other (another tab, another browser) uses
   * the engagement already there, so HubSpot holds one per call.
   */
  async claim(binding: Binding, callId: string): Promise<{ create: boolean; engagementId: string | null }> {
    const { live } = await this.attributed(binding.ownerId, callId);
    const inserted = await this.#db
      .insert(agentCalls)
      .values({
        callId,
        ownerId: binding.ownerId,
        direction: live?.direction === 'outbound' ? 'outbound' : 'inbound',
        externalNumber: live?.externalNumber ?? null,
        extension: live?.extension ?? binding.extension,
      })
      .onConflictDoNothing()
      .returning({ callId: agentCalls.callId });
    if (inserted.length) return { create: true, engagementId: null };
    const row = (await this.row(callId, binding.ownerId))!;
    return { create: false, engagementId: row.engagementId };
  }

  /**
   * Records the engagement HubSpot created for the widget's call, once HubSpot confirms it is this
   * call's (issue 9 item 2). The call logger then completes it instead of creating another.
   */
  async recordEngagement(ownerId: string, callId: string, engagementId: string): Promise<{ callId: string; engagementId: string }> {
    const { row, live, since } = await this.attributed(ownerId, callId);
    if (row?.engagementId === engagementId) return { callId, engagementId };
    if (row?.engagementId) throw new ConflictError(`call ${callId} already has HubSpot engagement ${row.engagementId}`);
    await this.#checkWithHubSpot(ownerId, callId, engagementId, since);
    const values = { engagementId, updatedAt: new Date() };
    try {
      if (row) {
        const updated = await this.#db
          .update(agentCalls)
          .set(values)
          .where(and(eq(agentCalls.callId, callId), eq(agentCalls.ownerId, ownerId), isNull(agentCalls.engagementId)))
          .returning({ callId: agentCalls.callId });
        if (!updated.length) return this.recordEngagement(ownerId, callId, engagementId);
      } else {
        await this.#db
          .insert(agentCalls)
          .values({
            callId,
            ownerId,
            direction: live?.direction === 'outbound' ? 'outbound' : 'inbound',
            externalNumber: live?.externalNumber ?? null,
            extension: live!.extension,
            claimedAt: since,
            ...values,
          })
          .onConflictDoUpdate({ target: [agentCalls.callId, agentCalls.ownerId], set: values, setWhere: isNull(agentCalls.engagementId) });
      }
    } catch (err) {
      // The unique index: this engagement is another call's.
      if (/unique|duplicate/i.test((err as Error).message)) throw new ConflictError(`HubSpot engagement ${engagementId} already belongs to another call`);
      throw err;
    }
    return { callId, engagementId };
  }

  async #checkWithHubSpot(ownerId: string, callId: string, engagementId: string, since: Date): Promise<void> {
    let call;
    try {
      call = await this.#api.call("checking the calling widget's engagement", (c) =>
        c.crm.objects.calls.basicApi.getById(engagementId, ['hs_call_external_id', 'hubspot_owner_id', 'hs_createdate']),
      );
    } catch (err) {
      if (err instanceof RemoteRejectedError && err.remoteStatus === 404) throw new ConflictError(`HubSpot has no call engagement ${engagementId}`);
      throw err;
    }
    const p = call.properties;
    const problems: string[] = [];
    if ((p.hs_call_external_id ?? '').toLowerCase() !== callId.toLowerCase())
      problems.push(`it is the engagement of call ${p.hs_call_external_id || '(none)'}, not of call ${callId}`);
    if (p.hubspot_owner_id && p.hubspot_owner_id !== ownerId) problems.push('it belongs to another HubSpot user');
    const created = Date.parse(p.hs_createdate ?? '') || call.createdAt?.getTime() || 0;
    if (created < since.getTime() - CLOCK_SLACK_MS) problems.push('it was created before the call');
    if (problems.length) throw new ConflictError(`HubSpot engagement ${engagementId} is not this call's: ${problems.join('; ')}`);
  }

  /** The salesperson's call in progress and their open wrap-ups, for a widget that loads (defects 2 and 4). */
  async current(ownerId: string): Promise<ApiAgentCall[]> {
    const rows = await this.#db
      .select()
      .from(agentCalls)
      .where(and(eq(agentCalls.ownerId, ownerId), eq(agentCalls.wrapUp, 'open'), gt(agentCalls.claimedAt, new Date(Date.now() - WRAP_UP_KEEP_MS))))
      .orderBy(desc(agentCalls.claimedAt))
      .limit(20);
    const logged = rows.length
      ? new Set(
          (
            await this.#db
              .select({ callId: callLogs.callId })
              .from(callLogs)
              .where(
                inArray(
                  callLogs.callId,
                  rows.map((r) => r.callId),
                ),
              )
          ).map((r) => r.callId),
        )
      : new Set<string | null>();
    const out: ApiAgentCall[] = rows.map((r) => {
      const live = this.#live.callOf(ownerId, r.callId)?.latest ?? null;
      const going = live && !logged.has(r.callId) && (live.state === 'ringing' || live.state === 'answered' || live.state === 'held');
      return {
        callId: r.callId,
        direction: r.direction,
        number: r.externalNumber ?? live?.externalNumber ?? null,
        extension: r.extension,
        state: going ? (live.state as ApiAgentCall['state']) : 'ended',
        live,
        engagementId: r.engagementId,
        wrapUp: { notes: r.notes, disposition: r.disposition, view: r.view ?? null },
      };
    });
    // Calls ringing or going on that no widget announced yet (the phone rang before the page loaded); not one whose
    // wrap-up was already saved or dismissed.
    for (const c of this.#live.activeCalls(ownerId)) {
      if (rows.some((r) => r.callId === c.latest.callId) || c.latest.type !== 'call' || (await this.row(c.latest.callId, ownerId))) continue;
      const e = c.latest;
      out.push({
        callId: e.callId,
        direction: e.direction === 'outbound' ? 'outbound' : 'inbound',
        number: e.externalNumber,
        extension: e.extension,
        state: e.state as ApiAgentCall['state'],
        live: e,
        engagementId: null,
        wrapUp: null,
      });
    }
    return out;
  }

  /** Keeps the wrap-up's draft, or closes it (saved or dismissed). Returns the row after the change. */
  async changeWrapUp(ownerId: string, callId: string, change: WrapUpChange): Promise<AgentCallRow> {
    const row = await this.row(callId, ownerId);
    if (!row) throw new NotFoundError(`no call ${callId} of yours with a wrap-up`);
    if (row.wrapUp !== 'open' && !change.state) return row;
    const set: Partial<typeof agentCalls.$inferInsert> = { updatedAt: new Date() };
    if (change.notes !== undefined) set.notes = change.notes;
    if (change.disposition !== undefined) set.disposition = change.disposition;
    if (change.view !== undefined) set.view = change.view;
    if (change.state) {
      set.wrapUp = change.state;
      if (change.state === 'saved') set.savedAt = new Date();
    }
    const [updated] = await this.#db
      .update(agentCalls)
      .set(set)
      .where(and(eq(agentCalls.callId, callId), eq(agentCalls.ownerId, ownerId), or(eq(agentCalls.wrapUp, 'open'), eq(agentCalls.wrapUp, row.wrapUp))))
      .returning();
    return updated ?? row;
  }
}

/** The widget reported no engagement yet for a call it claimed: the call logger waits for it a little. */
export class WaitingForWidgetError extends SpokesError {
  constructor(callId: string) {
    super('conflict', `waiting for the calling widget to report HubSpot's engagement of call ${callId}`, { status: 409, retryable: true });
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The call logger's properties with a saved wrap-up added: the salesperson's notes above Spokes' body,
 * their outcome instead of the one the PBX suggests. Unsaved (or dismissed): the logger's alone.
 */
export function withWrapUp(facts: Record<string, string>, row: Pick<AgentCallRow, 'wrapUp' | 'notes' | 'disposition'>): Record<string, string> {
  if (row.wrapUp !== 'saved') return facts;
  const out = { ...facts };
  const notes = row.notes.trim();
  if (notes) out.hs_call_body = `<p>${escapeHtml(notes).split(/\r?\n/).join('<br>')}</p>${facts.hs_call_body ?? ''}`;
  if (row.disposition) out.hs_call_disposition = row.disposition;
  return out;
}
