/**
 * Upgrading a connection whose checkpoint was saved before the key left the pass's settings hash
 * (cards.ts `cardSyncConfig`): its hash was computed over the config with the key in it. Such a
 * checkpoint is re-stamped with today's hash of the same settings, so the upgrade does not re-run
 * the initial pass (every card written again). Any other mismatch is a real settings change and is
 * left to the engine. Safe to drop once every installation has passed a pass on this version.
 */
import type { Checkpoints } from '../../sync/checkpoints.ts';
import { settingsHash } from '../../sync/engine/plan.ts';
import type { SyncSettings } from '../../sync/engine/settings.ts';
import { cardSync, type CardSyncConfig } from './cards.ts';

export async function adoptLegacyCheckpoint(checkpoints: Checkpoints, connectionId: string, settings: SyncSettings, config: CardSyncConfig): Promise<boolean> {
  const cp = await checkpoints.get(connectionId, cardSync.checkpoint);
  if (!cp) return false;
  const current = settingsHash(settings, config);
  if (cp.settingsHash === current) return false;
  const legacy = settingsHash(settings, { apiBaseUrl: config.apiBaseUrl, apiKey: config.apiKey, tagIds: config.tagIds });
  if (cp.settingsHash !== legacy) return false;
  await checkpoints.set(connectionId, cardSync.checkpoint, { ...cp, settingsHash: current });
  return true;
}
