/**
 * The wrap-up kept by Spokes (issue 10 defect 2): what the widget showed of the
 * call once it ended, and the notes and outcome as they are typed (a moment
 * after the last key), so that a reload or another HubSpot tab shows the same
 * wrap-up until it is saved or dismissed. Saving tells Spokes too, which adds
 * the notes and outcome to the call it logs — whichever comes first.
 */
import { widgetApi, WidgetApiError, type WrapUpChange } from './widget-api.ts';

const DRAFT_DELAY_MS = 600;
const ATTEMPTS = 4;

export type DraftState = 'idle' | 'saving' | 'saved' | 'failed';

export class WrapUpSync {
  readonly #token: () => string | null;
  readonly #onDraft: (callId: string, state: DraftState) => void;
  #timer: number | undefined;
  #pending: { callId: string; change: WrapUpChange } | null = null;

  constructor(token: () => string | null, onDraft: (callId: string, state: DraftState) => void) {
    this.#token = token;
    this.#onDraft = onDraft;
  }

  /** Notes or outcome changed: sent shortly, the last value wins. */
  draft(callId: string, change: WrapUpChange): void {
    this.#pending = { callId, change: this.#pending?.callId === callId ? { ...this.#pending.change, ...change } : change };
    window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => void this.flush(), DRAFT_DELAY_MS);
  }

  /** Sends the draft now (before saving, or when the call ends). */
  async flush(): Promise<void> {
    window.clearTimeout(this.#timer);
    const pending = this.#pending;
    this.#pending = null;
    if (!pending) return;
    this.#onDraft(pending.callId, 'saving');
    const ok = await this.send(pending.callId, pending.change).then(
      () => true,
      () => false,
    );
    if (!this.#pending) this.#onDraft(pending.callId, ok ? 'saved' : 'failed');
  }

  /** One change, retried while Spokes is unreachable or busy; a refusal (4xx) is final. */
  async send(callId: string, change: WrapUpChange): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const token = this.#token();
      if (!token) throw new WidgetApiError(401, 'signed_out', 'Signed out.');
      try {
        await widgetApi.wrapUp(token, callId, change);
        return;
      } catch (err) {
        const final = err instanceof WidgetApiError && err.status >= 400 && err.status < 500;
        if (final || attempt >= ATTEMPTS) throw err;
        await new Promise((r) => window.setTimeout(r, 400 * attempt));
      }
    }
  }
}
