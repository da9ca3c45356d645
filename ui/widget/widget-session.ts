/**
 * The calling widget's sign-in (issue 9 item 1): HubSpot's `onReady` names the
 * user; a session saved by an earlier visit is used only if it is that user's
 * and Spokes still accepts it; otherwise "Sign in with HubSpot" (sign-in.ts).
 * Signed in, the live call events flow and the controller picks up what
 * Spokes knows of the salesperson's calls (controller.ts).
 */
import { openEventStream } from '../shared/event-stream.ts';
import type { HubSpotLink, ReadyData } from './hubspot-link.ts';
import { signInWithHubSpot, type PendingSignIn } from './sign-in.ts';
import { sessionIsFor, storedSession, storeSession, widgetApi, WidgetApiError, type AgentSession, type LiveEvent } from './widget-api.ts';
import { WidgetStore, type HubSpotContext } from './widget-store.ts';

export const WIDTH = 400;
const SIGN_IN_NEEDED = 'Spokes needs to know who you are before you call. Sign in with your HubSpot account once in this browser.';

export abstract class WidgetSession extends WidgetStore {
  /** Set by the controller's constructor (its handlers are the controller's). */
  protected hubspot!: HubSpotLink;
  protected session: AgentSession | null = null;
  protected height = 560;
  #stream: { close(): void } | null = null;
  #pendingSignIn: PendingSignIn | null = null;

  /** A live call event of the signed-in salesperson. */
  protected abstract onLiveEvent(e: LiveEvent): void;
  /** Signed in: what Spokes knows of the salesperson's calls. */
  protected abstract restore(): Promise<void>;

  protected async onReady(data: ReadyData): Promise<void> {
    if (this.state.hubspot && this.session) return;
    const hubspot: HubSpotContext = {
      portalId: Number(data.portalId),
      userId: data.userId ?? null,
      ownerId: data.ownerId ?? null,
      iframeLocation: data.iframeLocation ?? null,
    };
    this.set({ hubspot, screen: { kind: 'signing-in' } });
    const loggedIn = await this.#resume();
    this.hubspot.initialized(loggedIn, { width: WIDTH, height: this.height });
  }

  /**
   * The session saved by an earlier visit, if it is this HubSpot user's (the SDK's ids are compared:
   * another HubSpot user in this browser must not act as the previous one), checked with Spokes.
   */
  async #resume(): Promise<boolean> {
    const hubspot = this.state.hubspot!;
    const stored = storedSession(hubspot);
    if (!stored) {
      storeSession(null);
      this.set({ screen: { kind: 'signed-out', code: 'sign_in', message: SIGN_IN_NEEDED } });
      return false;
    }
    try {
      const me = await widgetApi.me(stored.token);
      if (!sessionIsFor(me.agent, hubspot)) throw new WidgetApiError(401, 'sign_in', SIGN_IN_NEEDED);
      return await this.#signedIn({ ...stored, agent: me.agent });
    } catch (err) {
      const e = err instanceof WidgetApiError ? err : new WidgetApiError(0, 'error', 'Signing in to Spokes failed. Try again.');
      if (!(err instanceof WidgetApiError)) console.error('Spokes widget: signing in failed', err);
      // Revoked, expired, unbound: this session is done. Spokes unreachable: keep it for "Try again".
      if (e.status === 401 || e.code === 'not_bound') storeSession(null);
      this.set({ screen: { kind: 'signed-out', code: e.code, message: e.message } });
      return false;
    }
  }

  async #signedIn(session: AgentSession): Promise<boolean> {
    this.session = session;
    this.set({ agent: session.agent, screen: { kind: 'ready' } });
    this.#openStream(session.token);
    await this.restore();
    return true;
  }

  /**
   * "Sign in with HubSpot" (or "Try again"). Runs in the button's click: the sign-in window must open
   * in it, or the browser blocks it. A saved session Spokes could not check (offline) is tried first.
   */
  signIn(): void {
    const hubspot = this.state.hubspot;
    if (!hubspot) return;
    if (storedSession(hubspot)) {
      this.set({ screen: { kind: 'signing-in' } });
      void this.#resume().then((ok) => this.#announceSignedIn(ok));
      return;
    }
    this.#pendingSignIn?.cancel();
    const pending = signInWithHubSpot(hubspot);
    this.#pendingSignIn = pending;
    this.set({ screen: { kind: 'signing-in', inWindow: true } });
    pending.session
      .then(async (session) => {
        if (!sessionIsFor(session.agent, hubspot)) {
          throw new WidgetApiError(
            409,
            'other_user',
            `You signed in to HubSpot as ${session.agent.name}, but this HubSpot page is another user's. Sign in to HubSpot as yourself, then click Sign in again.`,
          );
        }
        storeSession(session);
        this.#announceSignedIn(await this.#signedIn(session));
      })
      .catch((err: unknown) => {
        if (this.#pendingSignIn !== pending) return;
        const e = err instanceof WidgetApiError ? err : new WidgetApiError(0, 'error', 'Signing in to Spokes failed. Try again.');
        this.set({ screen: { kind: 'signed-out', code: e.code, message: e.message } });
      })
      .finally(() => {
        if (this.#pendingSignIn === pending) this.#pendingSignIn = null;
      });
  }

  /** Stops waiting for the sign-in window. */
  cancelSignIn(): void {
    this.#pendingSignIn?.cancel();
  }

  #announceSignedIn(ok: boolean): void {
    if (!ok) return;
    this.hubspot.loggedIn();
    this.hubspot.available();
  }

  signOut(): void {
    this.#stream?.close();
    this.#stream = null;
    this.session = null;
    storeSession(null);
    this.set({ agent: null, stream: 'off', screen: { kind: 'signed-out', code: 'signed_out', message: 'You signed out of Spokes on this browser.' } });
    this.hubspot.unavailable();
    this.hubspot.loggedOut();
  }

  #openStream(token: string): void {
    this.#stream?.close();
    this.#stream = openEventStream({
      token,
      onEvent: (e) => this.onLiveEvent(e),
      onState: (stream) => this.set({ stream }),
      onRefused: (_status, message) => {
        storeSession(null);
        this.session = null;
        this.set({ stream: 'off', agent: null, screen: { kind: 'signed-out', code: 'session_ended', message } });
        this.hubspot.loggedOut();
      },
    });
  }
}
