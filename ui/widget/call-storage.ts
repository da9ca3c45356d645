/**
 * The call in progress, kept in localStorage for the HubSpot user it belongs
 * to: a reload, or HubSpot navigating to the caller's record, reloads the
 * widget mid-call, and the salesperson must not lose the call or their notes.
 */
import type { ActiveCall } from './call-model.ts';
import { safeStorage } from './safe-storage.ts';

const KEY = 'spokes.widget.call';
/** Older than this, a saved call is stale (the tab was closed mid-call long ago). */
const MAX_AGE_MS = 4 * 3600_000;

export function saveCall(ownerId: string | undefined, call: ActiveCall | null): void {
  if (!call || !ownerId || !call.callId) safeStorage.remove(KEY);
  else safeStorage.set(KEY, JSON.stringify({ ownerId, savedAt: Date.now(), call }));
}

export function restoreCall(ownerId: string | undefined): ActiveCall | null {
  try {
    const saved = JSON.parse(safeStorage.get(KEY) ?? 'null') as { ownerId?: string; savedAt?: number; call?: ActiveCall } | null;
    if (!saved?.call || saved.ownerId !== ownerId || !saved.savedAt || Date.now() - saved.savedAt > MAX_AGE_MS) return null;
    return saved.call;
  } catch {
    return null;
  }
}
