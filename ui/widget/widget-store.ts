/**
 * The calling widget's state as React reads it (useSyncExternalStore): the
 * screen, who is signed in, the call and the notice; and the small store that
 * holds it. The controller (controller.ts, widget-session.ts) changes it.
 */
import type { StreamState } from '../shared/event-stream.ts';
import type { ActiveCall } from './call-model.ts';
import type { Agent } from './widget-api.ts';

export type Screen =
  | { kind: 'waiting' }
  | { kind: 'outside-hubspot' }
  /** `inWindow`: the person is signing in in the window the widget opened. */
  | { kind: 'signing-in'; inWindow?: boolean }
  | { kind: 'signed-out'; code: string; message: string }
  | { kind: 'ready' };

export interface Notice {
  id: number;
  tone: 'danger' | 'warning' | 'success' | 'info';
  text: string;
}

export interface HubSpotContext {
  portalId: number;
  userId: number | null;
  ownerId: number | null;
  iframeLocation: string | null;
}

export interface WidgetState {
  screen: Screen;
  hubspot: HubSpotContext | null;
  agent: Agent | null;
  stream: StreamState | 'off';
  call: ActiveCall | null;
  notice: Notice | null;
  visibility: { isHidden: boolean; isMinimized: boolean };
}

export class WidgetStore {
  protected state: WidgetState = {
    screen: { kind: 'waiting' },
    hubspot: null,
    agent: null,
    stream: 'off',
    call: null,
    notice: null,
    visibility: { isHidden: false, isMinimized: false },
  };
  readonly #listeners = new Set<() => void>();
  #noticeId = 0;

  getState = (): WidgetState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  protected set(patch: Partial<WidgetState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.#listeners) l();
  }

  protected patchCall(patch: Partial<ActiveCall>): void {
    if (this.state.call) this.set({ call: { ...this.state.call, ...patch } });
  }

  protected notify(tone: Notice['tone'], text: string): void {
    this.set({ notice: { id: ++this.#noticeId, tone, text } });
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }
}
