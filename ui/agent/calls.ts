/**
 * Today's calls as this page saw them: one row per call, folded from its live
 * events, newest first, kept in localStorage for the day so a reload keeps the
 * list. The current call is the newest that has not ended.
 */
import type { LiveEvent } from '../shared/agent-api.ts';
import { callerName } from './pop-up.ts';

export interface CallRow {
  callId: string;
  direction: LiveEvent['direction'];
  number: string | null;
  caller: string;
  /** The record (or the search) to open. */
  url: string | null;
  objectType: 'contact' | 'company' | null;
  autoCreated: boolean;
  state: LiveEvent['state'];
  answered: boolean;
  startedAt: string;
  updatedAt: string;
  /** Why the call failed, for the salesperson. */
  message?: string;
}

const HISTORY_KEY = 'spokes.agent.history';
const KEEP = 30;
/** A call still "ringing" after this long lost its end event: it is no longer shown as current. */
const CURRENT_MAX_AGE_MS = 4 * 3600_000;

const today = () => new Date().toLocaleDateString('en-CA');

export function loadCalls(ownerId: string): CallRow[] {
  try {
    const saved = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? 'null') as { day: string; ownerId: string; rows: CallRow[] } | null;
    return saved && saved.day === today() && saved.ownerId === ownerId ? saved.rows : [];
  } catch {
    return [];
  }
}

export function saveCalls(ownerId: string, rows: CallRow[]): void {
  localStorage.setItem(HISTORY_KEY, JSON.stringify({ day: today(), ownerId, rows }));
}

export function applyEvent(rows: CallRow[], e: LiveEvent): CallRow[] {
  const old = rows.find((r) => r.callId === e.callId);
  // A replayed or late event never moves a finished call back.
  if (old && (old.state === 'ended' || old.state === 'failed') && e.state !== 'failed') return rows;
  const row: CallRow = {
    callId: e.callId,
    direction: e.direction ?? old?.direction ?? null,
    number: e.externalNumber ?? old?.number ?? null,
    caller: e.match || e.externalNumber ? callerName(e) : (old?.caller ?? 'Call'),
    url: e.match?.url ?? e.searchUrl ?? old?.url ?? null,
    objectType: e.match?.objectType ?? old?.objectType ?? null,
    autoCreated: e.match?.autoCreated ?? old?.autoCreated ?? false,
    state: e.state,
    answered: (old?.answered ?? false) || e.state === 'answered' || e.state === 'held',
    startedAt: old?.startedAt ?? e.at,
    updatedAt: e.at,
    message: e.message ?? old?.message,
  };
  const rest = rows.filter((r) => r.callId !== e.callId);
  return [row, ...rest].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt)).slice(0, KEEP);
}

export function currentCall(rows: CallRow[], now = Date.now()): CallRow | null {
  return rows.find((r) => r.state !== 'ended' && r.state !== 'failed' && now - Date.parse(r.updatedAt) < CURRENT_MAX_AGE_MS) ?? null;
}

/** The call's state in words, and the tone of its badge. */
export function describe(row: CallRow): { label: string; tone: 'success' | 'danger' | 'warning' | 'neutral' } {
  switch (row.state) {
    case 'ringing':
      return { label: row.direction === 'outbound' || (row.direction === null && !row.number) ? 'Calling…' : 'Ringing', tone: 'warning' };
    case 'answered':
      return { label: 'On the call', tone: 'success' };
    case 'held':
      return { label: 'On hold', tone: 'warning' };
    case 'failed':
      return { label: 'Failed', tone: 'danger' };
    case 'ended':
      if (row.answered) return { label: 'Answered', tone: 'neutral' };
      return row.direction === 'inbound' ? { label: 'Missed', tone: 'danger' } : { label: 'Not answered', tone: 'neutral' };
  }
}
