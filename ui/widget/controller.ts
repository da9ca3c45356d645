/**
 * The calling widget's brain, outside React: the live PBX events and the call
 * in progress, and when HubSpot hears of them (through hubspot-link.ts, the
 * real Calling Extensions SDK). Sign-in is widget-session.ts'; the state React
 * reads (useSyncExternalStore) is widget-store.ts'.
 *
 * The SDK flows follow shared/reference/calling-extensions.md §6: onReady →
 * sign-in → initialized; onDialNumber → dial → outgoingCall(createEngagement)
 * → engagement id → PUT /agent-api/…/engagement (C3) → callAnswered → callEnded
 * → notes and outcome → callCompleted (and to Spokes, which keeps the wrap-up
 * until then). Inbound: a ringing call → claimed with Spokes → incomingCall.
 */
import type { EndStatus } from '@hubspot/calling-extensions-sdk';
import { claimCall } from './call-claim.ts';
import { defaultDisposition, endStatusForEnding, endStatusForFailure, newCall, type ActiveCall, type CallRecord } from './call-model.ts';
import { callFromServer, viewOf } from './call-restore.ts';
import { HubSpotLink } from './hubspot-link.ts';
import { widgetApi, WidgetApiError, type CurrentCall, type LiveEvent } from './widget-api.ts';
import { WidgetSession, WIDTH } from './widget-session.ts';
import { WrapUpSync } from './wrap-up-sync.ts';

export type { HubSpotContext, Notice, Screen, WidgetState } from './widget-store.ts';

/** Events are matched to a call whose dial request has not come back yet (they can overtake it). */
const EARLY_EVENTS = 50;
/** A failure event may follow the hang-up event: wait this long before calling it a normal ending. */
const END_GRACE_MS = 300;
const SAVE_TIMEOUT_MS = 15_000;
/** A desk phone rings within a second of the dial; silence this long means it probably cannot ring at all. */
const SILENT_PHONE_MS = 12_000;

export class WidgetController extends WidgetSession {
  #early = new Map<string, LiveEvent[]>();
  #release: (() => void) | null = null;
  #endTimer: number | undefined;
  #saveTimer: number | undefined;
  #lastDial: { number: string; at: number } | null = null;
  /** Calls the phone system has said anything about. */
  #heard = new Set<string>();
  /** The wrap-up as Spokes keeps it (issue 10 defect 2). */
  readonly #wrapUps = new WrapUpSync(
    () => this.session?.token ?? null,
    (callId, draft) => {
      if (this.state.call?.callId === callId) this.patchCall({ draft });
    },
  );

  constructor() {
    super();
    this.hubspot = new HubSpotLink({
      ready: (data) => void this.onReady(data),
      dialNumber: (number, callee, country) => this.#onDialNumber(number, callee, country),
      engagementCreated: (id) => this.#onEngagement(id),
      engagementFailed: (message) => this.#onCreateEngagementFailed(message),
      saved: (id) => void this.#onSaved(id),
      saveFailed: (message) => this.#onSaveFailed(message),
      callerIdMatch: (hubspotMatch) => this.patchCall({ hubspotMatch }),
      visibilityChanged: (visibility) => this.set({ visibility }),
      endCall: () => void this.hangup(),
      warn: (text) => this.notify('warning', text),
    });
    // Opened directly rather than inside HubSpot: say what this page is instead of waiting forever.
    if (window.parent === window) this.set({ screen: { kind: 'outside-hubspot' } });
    else
      window.setTimeout(() => {
        if (this.state.screen.kind === 'waiting') this.set({ screen: { kind: 'outside-hubspot' } });
      }, 8_000);
  }

  /** The content's height changed: HubSpot resizes the iframe (resizeWidget). */
  resize(height: number): void {
    const next = Math.max(320, Math.min(900, Math.ceil(height)));
    if (Math.abs(next - this.height) < 4) return;
    this.height = next;
    if (this.state.hubspot) this.hubspot.resize(WIDTH, next);
  }

  /**
   * What Spokes knows of this salesperson's calls when the widget loads (issue 10): a call going on —
   * it rang before this page loaded (a tab the pop-up page opened), or the page reloaded mid-call — is
   * picked up; else a wrap-up left open (a reload, another tab) is shown again.
   */
  protected async restore(): Promise<void> {
    const session = this.session;
    if (!session || this.state.call) return;
    let calls: CurrentCall[];
    try {
      ({ calls } = await widgetApi.current(session.token));
    } catch {
      return; // Spokes unreachable: the live events still bring the next call.
    }
    const going = calls.find((c) => c.state !== 'ended' && (c.wrapUp || c.direction === 'inbound'));
    if (going) return this.#pickUp(going);
    const open = calls.find((c) => c.state === 'ended' && c.wrapUp);
    if (open && !this.state.call) this.set({ call: { ...callFromServer(open), draft: 'saved' } });
  }

  /** A call going on that this page did not see start: shown, and announced to this page's HubSpot. */
  async #pickUp(c: CurrentCall): Promise<void> {
    const release = await claimCall(c.callId);
    // Another HubSpot tab of this browser shows it already.
    if (!release) return;
    if (this.state.call || !this.session) return release();
    this.#release = release;
    this.set({ notice: null, call: callFromServer(c) });
    let create = false;
    if (!c.engagementId) {
      const claim = await widgetApi.claim(this.session.token, c.callId).catch(() => null);
      create = !!claim?.create;
      if (claim?.engagementId) this.patchCall({ engagementId: Number(claim.engagementId) });
    }
    const call = this.getState().call;
    if (!call || call.callId !== c.callId) return;
    this.hubspot.announce(call, create);
    if (call.stage === 'connected' || call.stage === 'held') this.hubspot.callAnswered(call);
  }

  // ---- outbound

  #onDialNumber(number: string, callee: CallRecord | null, country?: string): void {
    // HubSpot has been seen to send the same DIAL_NUMBER twice for one click (SDK #210): the second one, while
    // the first call is still being placed or ringing, is dropped instead of answered with "already on a call".
    const current = this.state.call;
    if (this.#lastDial?.number === number && Date.now() - this.#lastDial.at < 2_000 && current && current.stage !== 'ended') return;
    this.#lastDial = { number, at: Date.now() };
    void this.dial(number, callee, country);
  }

  /** Places a call from the salesperson's extension (a click in HubSpot, or the dial pad). */
  async dial(number: string, callee: CallRecord | null = null, country?: string): Promise<void> {
    const session = this.session;
    if (!session || this.state.screen.kind !== 'ready') {
      this.#fail('Sign in to Spokes in the calling widget first.');
      return;
    }
    if (this.state.call && this.state.call.stage !== 'ended') {
      this.#fail('You are already on a call. Hang up first.');
      return;
    }
    // A new call while the last one waits for its notes: the last one is saved as it is (never left half-logged, SDK #46).
    const previous = this.state.call;
    if (previous?.stage === 'ended' && previous.engagementId) {
      this.#complete(previous);
      void this.#wrapUps.send(previous.callId!, { state: 'saved', notes: previous.notes, disposition: previous.disposition || null }).catch(() => {});
    }
    if (!number) {
      this.#fail('There is no number to call.');
      return;
    }
    this.#release?.();
    this.#release = null;
    this.set({ notice: null, call: newCall({ direction: 'outbound', number, extension: session.agent.extension, stage: 'placing', callee }) });
    let placed;
    try {
      placed = await widgetApi.dial(session.token, number, country);
    } catch (err) {
      const message = err instanceof WidgetApiError ? err.message : 'Spokes could not place the call.';
      this.set({ call: null });
      this.#fail(message);
      return;
    }
    this.#release = await claimCall(placed.callId);
    const cancelled = this.state.call?.hungUpByUser;
    this.patchCall({ callId: placed.callId, number: placed.number, extension: placed.extension, stage: 'your-phone' });
    this.hubspot.announce(this.state.call!, true);
    for (const e of this.#early.get(placed.callId) ?? []) this.onLiveEvent(e);
    this.#early.clear();
    if (cancelled) void this.hangup();
    window.setTimeout(() => {
      const now = this.state.call;
      if (now?.callId === placed.callId && now.stage === 'your-phone' && !this.#heard.has(placed.callId)) {
        this.notify('warning', `Your phone (ext ${placed.extension}) has not rung. If it is offline or signed out of the phone system, hang up and check it.`);
      }
    }, SILENT_PHONE_MS);
    if (!this.state.call?.match) {
      widgetApi.lookup(session.token, placed.number).then(
        ({ match }) => {
          if (match && this.state.call?.callId === placed.callId && !this.state.call.match) this.patchCall({ match });
        },
        () => {},
      );
    }
  }

  /** A PBX or Spokes failure: shown in the widget, and as HubSpot's alert (sendError). */
  #fail(message: string): void {
    this.notify('danger', message);
    this.hubspot.error(message);
  }

  async hangup(): Promise<void> {
    const call = this.state.call;
    if (!call || call.stage === 'ended') return;
    this.patchCall({ hungUpByUser: true });
    if (!call.callId || !this.session) return; // hung up after the dial comes back
    try {
      const { hungUp } = await widgetApi.hangup(this.session.token, call.callId);
      if (!hungUp) this.#finish(endStatusForEnding(this.state.call!));
    } catch (err) {
      this.notify('danger', err instanceof WidgetApiError ? err.message : 'Hanging up failed. Hang up on your phone.');
    }
  }

  // ---- HubSpot's engagement

  #onEngagement(engagementId: number | undefined): void {
    const call = this.state.call;
    if (!call || !engagementId || call.engagementId) return;
    this.patchCall({ engagementId: Number(engagementId) });
    if (!call.callId || !this.session) return;
    // C3: Spokes' call logger completes this engagement when the PBX's record arrives, instead of creating a second.
    const token = this.session.token;
    const tell = (attempt: number): Promise<unknown> =>
      widgetApi.engagement(token, call.callId!, engagementId).catch((err: unknown) => {
        if (attempt < 3 && !(err instanceof WidgetApiError && err.status >= 400 && err.status < 500)) {
          return new Promise((r) => window.setTimeout(r, 500 * attempt)).then(() => tell(attempt + 1));
        }
        this.notify('warning', 'Spokes could not link this call to its HubSpot record; it may show twice in HubSpot.');
        return undefined;
      });
    void tell(1);
  }

  #onCreateEngagementFailed(message: string | undefined): void {
    if (!this.state.call) return;
    this.patchCall({
      engagementId: null,
      saveError: 'HubSpot could not create a record for this call, so notes cannot be saved to it. Spokes logs the call by itself when it ends.',
    });
    this.notify('warning', `HubSpot could not create the call record${message ? ` (${message})` : ''}. Spokes will log the call when it ends.`);
  }

  // ---- live PBX events

  protected onLiveEvent(e: LiveEvent): void {
    const call = this.state.call;
    if (call && call.callId === e.callId) return this.#apply(call, e);
    if (call?.stage === 'placing' && !call.callId) {
      // The event overtook the dial's answer: keep it for when the call id is known.
      const list = this.#early.get(e.callId) ?? [];
      if (list.length < EARLY_EVENTS) this.#early.set(e.callId, [...list, e]);
      return;
    }
    if (e.type === 'call' && e.state === 'ringing' && e.direction === 'inbound' && (!call || call.stage === 'ended')) void this.#incoming(e);
  }

  #apply(call: ActiveCall, e: LiveEvent): void {
    this.#heard.add(e.callId);
    if (call.stage === 'ended') return;
    if (e.match && !call.match) this.patchCall({ match: e.match });
    if (e.type === 'call_failed') {
      window.clearTimeout(this.#endTimer);
      const message = e.message ?? 'The call could not be connected.';
      // The wrap-up screen shows the reason with the call; HubSpot shows its alert.
      this.patchCall({ failure: { message, reason: e.reason } });
      this.hubspot.error(message);
      this.#finish(endStatusForFailure(e.reason));
      return;
    }
    switch (e.state) {
      case 'ringing':
        if (call.direction === 'outbound') this.patchCall({ stage: e.direction === 'outbound' ? 'ringing' : 'your-phone' });
        return;
      case 'answered':
        if (call.stage === 'held') this.patchCall({ stage: 'connected' });
        else if (call.stage !== 'connected') {
          this.patchCall({ stage: 'connected', answeredAt: Date.now() });
          this.hubspot.callAnswered(call);
          // A reload mid-call shows the talk time since the answer (Spokes keeps it with the call, if it has it).
          if (call.callId) void this.#wrapUps.send(call.callId, { view: viewOf(this.getState().call!) }).catch(() => {});
        }
        return;
      case 'held':
        this.patchCall({ stage: 'held' });
        return;
      case 'ended':
        window.clearTimeout(this.#endTimer);
        this.#endTimer = window.setTimeout(() => {
          if (this.state.call?.callId === call.callId) this.#finish(endStatusForEnding(this.state.call!));
        }, END_GRACE_MS);
        return;
      default:
    }
  }

  #finish(status: EndStatus): void {
    const call = this.state.call;
    if (!call || call.stage === 'ended') return;
    this.patchCall({ stage: 'ended', endedAt: Date.now(), endStatus: status, disposition: call.disposition || defaultDisposition(status) });
    this.hubspot.callEnded(call, status);
    const ended = this.state.call!;
    if (ended.callId) void this.#wrapUps.send(ended.callId, { view: viewOf(ended), disposition: ended.disposition || null }).catch(() => {});
  }

  async #incoming(e: LiveEvent): Promise<void> {
    const release = await claimCall(e.callId);
    // Another HubSpot tab of this browser shows this call already.
    if (!release || !this.session) return release?.();
    if (this.state.call && this.state.call.stage !== 'ended') return release();
    this.#release?.();
    this.#release = release;
    const number = e.externalNumber ?? 'Unknown number';
    this.set({ notice: null, call: newCall({ direction: 'inbound', callId: e.callId, number, extension: e.extension, stage: 'ringing', match: e.match }) });
    // The first widget to claim the call has HubSpot create its engagement; another (a second browser) uses that one.
    const claim = await widgetApi.claim(this.session.token, e.callId).catch(() => ({ create: true, engagementId: null }));
    if (this.state.call?.callId !== e.callId) return;
    if (claim.engagementId) this.patchCall({ engagementId: Number(claim.engagementId) });
    this.hubspot.announce(this.state.call, claim.create);
  }

  /** Shows the caller's record in HubSpot (the widget reloads there and picks the call up again). */
  openRecord(): void {
    const call = this.state.call;
    const portalId = this.state.hubspot?.portalId;
    if (call && portalId) this.hubspot.navigateToRecord(call, portalId);
  }

  // ---- wrap-up

  setNotes(notes: string): void {
    this.patchCall({ notes });
    const call = this.state.call;
    if (call?.callId && call.stage === 'ended') this.#wrapUps.draft(call.callId, { notes });
  }

  setDisposition(disposition: string): void {
    this.patchCall({ disposition });
    const call = this.state.call;
    if (call?.callId && call.stage === 'ended') this.#wrapUps.draft(call.callId, { disposition: disposition || null });
  }

  /** Sends notes and outcome to HubSpot (callCompleted) and waits for its answer. */
  save(): void {
    const call = this.state.call;
    if (!call || call.stage !== 'ended' || call.saving) return;
    if (!call.engagementId) {
      this.patchCall({ saveError: 'HubSpot has not created a record for this call yet. Wait a moment and save again.' });
      return;
    }
    this.patchCall({ saving: true, saveError: null });
    this.#complete(call);
    window.clearTimeout(this.#saveTimer);
    this.#saveTimer = window.setTimeout(() => this.#onSaveFailed('HubSpot did not confirm the save.'), SAVE_TIMEOUT_MS);
  }

  #complete(call: ActiveCall): void {
    this.hubspot.callCompleted(call, this.state.hubspot?.ownerId ?? this.state.agent?.ownerId ?? null);
  }

  /** Closes the wrap-up without notes (or a call HubSpot holds no record of): Spokes still logs the call. */
  discard(): void {
    const call = this.state.call;
    if (call?.callId) void this.#wrapUps.send(call.callId, { state: 'dismissed' }).catch(() => {});
    this.#release?.();
    this.#release = null;
    this.set({ call: null });
  }

  /** HubSpot saved the notes and outcome; Spokes is told too, so that they stay with the call it logs. */
  async #onSaved(engagementId: number | undefined): Promise<void> {
    const call = this.state.call;
    if (!call?.saving || (engagementId && Number(engagementId) !== call.engagementId)) return;
    window.clearTimeout(this.#saveTimer);
    try {
      await this.#wrapUps.send(call.callId!, { state: 'saved', notes: call.notes, disposition: call.disposition || null });
    } catch (err) {
      this.patchCall({
        saving: false,
        saveError: `Saved in HubSpot, but Spokes could not keep the notes with the call (${err instanceof WidgetApiError ? err.message : 'no answer'}). Save again.`,
      });
      return;
    }
    if (this.state.call?.callId !== call.callId) return;
    this.#release?.();
    this.#release = null;
    this.set({ call: null });
    this.notify('success', 'Call saved to HubSpot.');
  }

  #onSaveFailed(message: string | undefined): void {
    if (!this.state.call?.saving) return;
    window.clearTimeout(this.#saveTimer);
    this.patchCall({ saving: false, saveError: `Not saved: ${message ?? 'HubSpot refused the update'}. Try again.` });
  }
}
