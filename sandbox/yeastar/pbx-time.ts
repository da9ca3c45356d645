/**
 * PBX local time. The real PBX writes every time in its own time zone with no
 * offset: 30012 `time_start` as "YYYY-MM-DD HH:mm:ss" (pbx-apis.md §1.6), and the
 * REST rows (`cdr/list` `time`, `recording/list` `time`) and the `start_time` /
 * `end_time` filters in the *display format* set under System > Date and Time
 * (help.yeastar.com ".../search-specific-cdr.html": "The time format depends on
 * the date and time display format of PBX", e.g. MM/DD/YYYY HH:mm:ss).
 * 12-hour display formats are not emulated (see docs/sandbox/yeastar.md).
 */
export type DateDisplayFormat = 'YYYY/MM/DD' | 'MM/DD/YYYY' | 'DD/MM/YYYY';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for an unknown IANA zone, so bad options fail at start-up. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function datePart(p: LocalParts, format: DateDisplayFormat): string {
  const y = pad(p.year, 4),
    m = pad(p.month),
    d = pad(p.day);
  if (format === 'YYYY/MM/DD') return `${y}/${m}/${d}`;
  if (format === 'MM/DD/YYYY') return `${m}/${d}/${y}`;
  return `${d}/${m}/${y}`;
}

const timePart = (p: LocalParts) => `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;

/** "2022-04-27 19:04:36": the 30012 `time_start` form (fixed, not the display format). */
export function cdrEventTime(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${timePart(p)}`;
}

/** The display form used by REST rows and filters, e.g. "04/27/2022 19:04:36". */
export function displayTime(ms: number, timeZone: string, format: DateDisplayFormat): string {
  const p = localParts(ms, timeZone);
  return `${datePart(p, format)} ${timePart(p)}`;
}

/** "20220427190436": the prefix of recording file names and CDR uids. */
export function compactTime(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

/** Wall-clock parts in `timeZone` → epoch ms (two passes settle DST edges). */
function localToEpoch(p: LocalParts, timeZone: string): number {
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const seen = localParts(guess, timeZone);
    const seenUtc = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second);
    guess += asUtc - seenUtc;
  }
  return guess;
}

/**
 * Parses a filter value in the PBX display format ("MM/DD/YYYY HH:mm:ss" for
 * MM/DD/YYYY). Returns null when it does not match, which the routes answer
 * with 40002 naming the field.
 */
export function parseDisplayTime(value: string, timeZone: string, format: DateDisplayFormat): number | null {
  const m = /^(\d{1,4})\/(\d{1,2})\/(\d{1,4}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [year, month, day] = format === 'YYYY/MM/DD' ? [a, b, c] : format === 'MM/DD/YYYY' ? [c, a, b] : [c, b, a];
  const parts = { year, month, day, hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  if (month < 1 || month > 12 || day < 1 || day > 31 || parts.hour > 23 || parts.minute > 59 || parts.second > 59) return null;
  return localToEpoch(parts, timeZone);
}
