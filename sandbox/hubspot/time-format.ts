/**
 * HubSpot renders instants like Java's `Instant.toString()`: milliseconds only when
 * non-zero (`2019-10-30T03:30:17.883Z`, `2025-03-01T10:00:00Z`) — see §2.2 examples.
 */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

/** HubSpot's v3 JSON timestamps (createdAt/updatedAt) always carry milliseconds. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** §2.4: datetime values are accepted as Unix ms or ISO-8601. Returns ms or null when unparseable. */
export function parseDateTime(value: string): number | null {
  const trimmed = value.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : ms;
}

/** §2.4: date values are midnight-UTC ms or `YYYY-MM-DD`. Returns ms at midnight UTC or null. */
export function parseDate(value: string): number | null {
  const trimmed = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const ms = Date.parse(`${trimmed}T00:00:00Z`);
    return Number.isNaN(ms) ? null : ms;
  }
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  return null;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
