/** Small decisions shared by the engine's parts. */
import { hashValues } from '../record-links.ts';
import type { SyncSettings } from './settings.ts';

/**
 * Whether writing needs HubSpot's current values first. "Always use the app" with no HubSpot-side
 * filter writes by upsert on the e-mail (one request per 100 records); the other rules compare.
 */
export function conflictsNeedRead(s: SyncSettings): boolean {
  return s.conflict !== 'remote' || s.filters.hubspot.length > 0 || s.mappings.some((m) => m.enabled && m.conflict && m.conflict !== 'remote');
}

/** What a pass runs with: a change re-runs the initial pass (switching sync on or off is not a change). */
export function settingsHash(s: SyncSettings, extra: unknown): string {
  const { enabled: _enabled, ...rest } = s;
  return hashValues({ rest, extra } as Record<string, unknown>);
}
