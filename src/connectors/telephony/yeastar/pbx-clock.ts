/**
 * PBX local time ↔ UTC. A Yeastar PBX writes times in its own zone with no
 * offset: 30012 `time_start` as "2022-04-27 19:04:36" (pbx-apis.md §1.6), and the
 * `cdr/search` filters in its *display format* (System > Date and Time, e.g.
 * "MM/DD/YYYY HH:mm:ss", or with AM/PM on 12-hour clocks: "Search Specific CDR").
 * `system/information` has no time-zone field, but gives `system_time` (local,
 * display format) next to `timestamp` (Unix seconds), so the PBX's current UTC
 * offset is their difference (docs/sandbox/yeastar.md, difference 6).
 *
 * The offset is the one in force *now*: across a daylight-saving change a
 * record written before it converts one hour off until the offset is re-read.
 * REST rows carry their own Unix `timestamp`, so `listCdrs` is exact.
 */
import type { ApiSystemInfo } from './wire.ts';

export interface PbxClock {
  utcOffsetMinutes: number;
  /** Order of year, month and day in the display format. */
  dateOrder: 'YMD' | 'MDY' | 'DMY';
  dateSeparator: string;
  twelveHour: boolean;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function dateOrderOf(format: string | undefined, sample: string): PbxClock['dateOrder'] {
  const f = (format ?? '').toUpperCase();
  const y = f.indexOf('Y'),
    m = f.indexOf('M'),
    d = f.indexOf('D');
  if (y >= 0 && m >= 0 && d >= 0) {
    if (y < m && m < d) return 'YMD';
    if (d < m && m < y) return 'DMY';
    return 'MDY';
  }
  // No usable format: a leading 4-digit group is a year; otherwise the PBX default, MM/DD/YYYY.
  return /^\s*\d{4}\D/.test(sample) ? 'YMD' : 'MDY';
}

/** Parses "<date> <time>[ AM|PM]" with the date in `order`; null when it does not fit. */
export function parseWallTime(value: string, order: PbxClock['dateOrder']): WallTime | null {
  const m = /^\s*(\d{1,4})\D(\d{1,2})\D(\d{1,4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$/.exec(value);
  if (!m) return null;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [year, month, day] = order === 'YMD' ? [a, b, c] : order === 'MDY' ? [c, a, b] : [c, b, a];
  let hour = Number(m[4]);
  const meridiem = m[7]?.toUpperCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  const wall = { year, month, day, hour, minute: Number(m[5]), second: Number(m[6] ?? 0) };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  return wall;
}

const asUtcMs = (w: WallTime) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

export function clockFromSystemInfo(info: ApiSystemInfo): PbxClock {
  const dateOrder = dateOrderOf(info.system_date_format, info.system_time);
  const wall = parseWallTime(info.system_time, dateOrder);
  if (!wall) throw new Error(`unreadable PBX system_time "${info.system_time}"`);
  // Real offsets are multiples of 15 minutes; rounding absorbs the request's latency.
  const utcOffsetMinutes = Math.round((asUtcMs(wall) - info.timestamp * 1000) / 900_000) * 15;
  const separator = /^\s*\d{1,4}(\D)/.exec(info.system_time)?.[1] ?? '/';
  return { utcOffsetMinutes, dateOrder, dateSeparator: separator, twelveHour: /\s[AaPp][Mm]\s*$/.test(info.system_time) };
}

/** A PBX local time (display format, or the "YYYY-MM-DD HH:mm:ss" of 30012) → UTC; null when unreadable. */
export function pbxLocalToUtc(value: string, clock: PbxClock): Date | null {
  const iso = /^\s*\d{4}-\d{1,2}-\d{1,2}[ T]/.test(value);
  const wall = parseWallTime(value, iso ? 'YMD' : clock.dateOrder);
  if (!wall) return null;
  return new Date(asUtcMs(wall) - clock.utcOffsetMinutes * 60_000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A UTC instant in the PBX's display format, for `cdr/search` filters. */
export function utcToPbxDisplay(at: Date, clock: PbxClock): string {
  const local = new Date(at.getTime() + clock.utcOffsetMinutes * 60_000);
  const y = pad(local.getUTCFullYear(), 4),
    mo = pad(local.getUTCMonth() + 1),
    d = pad(local.getUTCDate());
  const parts = clock.dateOrder === 'YMD' ? [y, mo, d] : clock.dateOrder === 'MDY' ? [mo, d, y] : [d, mo, y];
  const h = local.getUTCHours();
  const time = clock.twelveHour
    ? `${pad(h % 12 === 0 ? 12 : h % 12)}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`
    : `${pad(h)}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${parts.join(clock.dateSeparator)} ${time}`;
}
