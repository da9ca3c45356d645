/**
 * How every page writes dates, durations and call outcomes: one date format
 * across the UI (date and time, in the browser's language and time zone).
 */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "2 Dec 2026, 14:05" (or the browser locale's equivalent). */
export function formatDateTime(iso: string | number | Date): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

/** 0:42, 12:05, 1:02:09. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export const DIRECTION: Record<string, string> = { inbound: 'Inbound', outbound: 'Outbound', internal: 'Internal' };

/** The PBX's outcome in HubSpot's words; an unanswered inbound call is a missed call. */
export function outcome(direction: string, status: string): string {
  switch (status) {
    case 'answered':
      return 'Answered';
    case 'no_answer':
      return direction === 'inbound' ? 'Missed' : 'No answer';
    case 'busy':
      return direction === 'inbound' ? 'Missed (busy)' : 'Busy';
    case 'voicemail':
      return direction === 'inbound' ? 'Missed (voicemail)' : 'Voicemail';
    case 'failed':
      return 'Failed';
    default:
      return status;
  }
}
