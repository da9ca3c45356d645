/**
 * Upgrading: a checkpoint saved while the API key was part of the pass's settings hash (the config
 * as it was built before) is adopted, so the first pass after the upgrade is incremental — no card
 * is written again — while a real settings change still re-runs the initial pass.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines } from '../support/databases.ts';
import { cardSync, cardSyncConfig } from '../../src/connectors/sansan/cards.ts';
import { adoptLegacyCheckpoint } from '../../src/connectors/sansan/legacy-checkpoint.ts';
import { Checkpoints } from '../../src/sync/checkpoints.ts';
import { startSyncWorld, type SyncWorld } from '../sync/sync-world.ts';

for (const engine of engines) {
  describe(`Sansan checkpoint from before the key left the settings hash, on ${engine}`, () => {
    let w: SyncWorld;
    before(async () => {
      w = await startSyncWorld(engine);
    });
    after(async () => {
      await w?.close();
    });

    it('resumes incrementally after the upgrade; a changed setting still re-runs the initial pass', { timeout: 60_000 }, async () => {
      await w.card({ lastName: 'Before', companyName: 'Upgrade KK', email: 'before@upgrade.example' });
      // The old config: the key as a plain field (what every pass hashed until now).
      const first = await w.pass();
      assert.equal(first.initial, true);
      const checkpoints = new Checkpoints(w.h.database.db);
      const config = cardSyncConfig({ apiBaseUrl: w.config.apiBaseUrl, apiKey: w.config.apiKey, tagIds: [] });
      const audits = await w.auditCount();

      assert.equal(await adoptLegacyCheckpoint(checkpoints, w.connectionId, w.settings(), config), true);
      const next = await w.h.engine.run('sansan', cardSync, { connectionId: w.connectionId, settings: w.settings(), config });
      assert.equal(next.initial, false, 'incremental: the checkpoint was kept');
      assert.equal(next.created + next.updated, 0);
      assert.equal(await w.auditCount(), audits, 'nothing written again');
      assert.equal(await adoptLegacyCheckpoint(checkpoints, w.connectionId, w.settings(), config), false, 'adopted once');

      const changed = w.settings({ conflict: 'recent' });
      assert.equal(await adoptLegacyCheckpoint(checkpoints, w.connectionId, changed, config), false);
      const rerun = await w.h.engine.run('sansan', cardSync, { connectionId: w.connectionId, settings: changed, config });
      assert.equal(rerun.initial, true, 'a changed setting re-runs the initial pass');
    });
  });
}
