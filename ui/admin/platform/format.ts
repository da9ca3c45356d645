/** How the Overview and Activity pages write times and states. */
import type { BadgeTone } from '../../shared/components/badge.tsx';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "3 minutes ago", "yesterday"; "never" for null. */
export function formatAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}

export const CONNECTION_STATE: Record<string, { label: string; tone: BadgeTone }> = {
  enabled: { label: 'Enabled', tone: 'success' },
  connected: { label: 'Connected, not enabled', tone: 'neutral' },
  disabled: { label: 'Disabled', tone: 'neutral' },
  needs_reauthorization: { label: 'Needs re-authorization', tone: 'warning' },
  error: { label: 'Error', tone: 'danger' },
};

export const OUTCOME: Record<string, { label: string; tone: BadgeTone }> = {
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  skipped: { label: 'Skipped', tone: 'neutral' },
};
