/** How the Phone system page writes times, durations and call outcomes. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** Today's calls by the second; older ones with their day. */
export function formatCallTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date().toDateString() ? timeOnly.format(d) : dayAndTime.format(d);
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
    case 'answered': return 'Answered';
    case 'no_answer': return direction === 'inbound' ? 'Missed' : 'No answer';
    case 'busy': return 'Busy';
    case 'voicemail': return 'Voicemail';
    case 'failed': return 'Failed';
    default: return status;
  }
}
