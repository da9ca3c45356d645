/**
 * The emulator's clock: wall time plus an offset tests move forward (page-token
 * expiry, rate-limit windows). Update stamps are strictly increasing, so a card
 * changed while a client pages through `orderBy=updatedAt` always sorts after every
 * card already returned (see docs/sandbox/sansan.md, "Paging").
 */
export class SansanClock {
  offsetMs = 0;
  /** The last stamp handed out (ms); seeds and snapshots move it forward. */
  lastStamp = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** A time for a write: now, or 1 ms after the previous stamp when the clock has not moved. */
  stamp(): number {
    const now = this.now();
    this.lastStamp = now > this.lastStamp ? now : this.lastStamp + 1;
    return this.lastStamp;
  }

  /** Records a time written by other means (seed, snapshot) so later stamps stay after it. */
  observe(ms: number): void {
    if (ms > this.lastStamp) this.lastStamp = ms;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
  }
}

/** `2024-05-01T09:30:12.345+09:00`: the instant in the tenant's UTC offset, with milliseconds. */
export function formatTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  return `${local}${formatOffset(offsetMinutes)}`;
}

/** `YYYY-MM-DD` of the instant in the tenant's offset. */
export function formatDate(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function parseOffset(text: string): number | undefined {
  if (text === 'Z') return 0;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * ISO 8601 date-time *with* an offset (`2024-01-01T00:00:00+09:00`, `…Z`), as the
 * reference documents `updatedFrom`/`updatedTo`. Returns epoch ms, or undefined when
 * the text is not one (including impossible dates such as February 30th).
 */
export function parseIsoWithOffset(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  const offset = parseOffset(m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8]);
  if (offset === undefined) return undefined;
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offset * 60_000;
}
