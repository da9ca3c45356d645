/**
 * T7: the record tab. When the salesperson's phone rings with an outside
 * caller, the caller's HubSpot record opens in a new tab — the matched contact
 * or company, the contact Spokes just created (T5), or a HubSpot search for
 * the number. One tab per call, across events, reloads and several open
 * copies of this page. `window.open` returning null means a pop-up blocker
 * stopped it: the page then explains how to allow pop-ups.
 */
import type { LiveEvent } from '../shared/agent-api.ts';

export interface PopTarget {
  callId: string;
  url: string;
  /** Who is calling, for buttons and notifications. */
  caller: string;
  /** `test`: the Send test pop-up button's tab. */
  kind: 'record' | 'new-contact' | 'search' | 'test';
}

/**
 * The test pop-up opens this long after the click, as a ringing call's tab does: with no click to
 * go by. Browsers let a page open a tab only within a few seconds of a click or key press (HTML's
 * "transient activation"; its duration is the browser's choice: 5 s in Chrome and Firefox), and
 * block it afterwards — then ask the person whether to allow pop-ups from this site.
 */
export const TEST_POPUP_DELAY_MS = 6_000;

/** The page the test pop-up opens: on Spokes itself, saying that pop-ups work. */
export const TEST_POPUP_PATH = '/agent/popup-test';

const CLAIMS_KEY = 'spokes.agent.popped';
const KEEP_CLAIMS = 200;
/** A ringing event older than this (replayed after a long reconnect) no longer pops a tab. */
const STALE_MS = 60_000;

export function callerName(e: Pick<LiveEvent, 'match' | 'externalNumber'>): string {
  return e.match?.label || e.externalNumber || 'Unknown caller';
}

/** What to open for this event, or null when it should not pop (not an outside call ringing, stale, nothing to open). */
export function popTarget(e: LiveEvent, now = Date.now()): PopTarget | null {
  if (e.type !== 'call' || e.state !== 'ringing' || !e.externalNumber) return null;
  // Ours ringing for a call we place (click-to-call) is no incoming call.
  if (e.direction === 'outbound' || e.direction === 'internal') return null;
  if (now - Date.parse(e.at) > STALE_MS) return null;
  const url = e.match?.url ?? e.searchUrl;
  if (!url) return null;
  return { callId: e.callId, url, caller: callerName(e), kind: e.match ? (e.match.autoCreated ? 'new-contact' : 'record') : 'search' };
}

/** First claim of a call wins: later events, a reload, or another tab of this page do not pop it again. */
export function claimCall(callId: string): boolean {
  let claims: string[];
  try {
    claims = JSON.parse(localStorage.getItem(CLAIMS_KEY) ?? '[]') as string[];
  } catch {
    claims = [];
  }
  if (claims.includes(callId)) return false;
  localStorage.setItem(CLAIMS_KEY, JSON.stringify([...claims.slice(-(KEEP_CLAIMS - 1)), callId]));
  return true;
}

/**
 * Opens `url` in a new tab the HubSpot page cannot script back (opener cut before it
 * loads). False when the browser blocked the pop-up.
 */
export function openTab(url: string): boolean {
  const tab = window.open('', '_blank');
  if (!tab) return false;
  tab.opener = null;
  tab.location.href = url;
  return true;
}

export type BrowserName = 'chrome' | 'edge' | 'firefox' | 'safari' | 'other';

export function detectBrowser(ua = navigator.userAgent): BrowserName {
  if (/Edg\//.test(ua)) return 'edge';
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrome\/|Chromium\//.test(ua)) return 'chrome';
  if (/Safari\//.test(ua)) return 'safari';
  return 'other';
}
