import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startSansanSandbox } from '../../sandbox/sansan/index.ts';
import { ALL_TIME, allPages, api, control } from '../support/sansan-client.ts';

describe('Sansan emulator: snapshots', () => {
  let dir = '';
  after(() => rm(dir, { recursive: true, force: true }));

  it('survives a restart from its snapshot: keys, cards, tags, page tokens and the clock', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sansan-snapshot-'));
    const snapshotPath = join(dir, 'sansan.ndjson');
    const everything = { ...ALL_TIME, range: 'all', includePastBizCards: true, includeTags: true, limit: 300 };
    const first = await startSansanSandbox({ snapshotPath, snapshotDebounceMs: 50, seed: { cards: 400, seed: 9 }, limits: { requestsPerSecond: 0 } });
    const key = first.info().apiKeys[0].key;
    const created = (
      await control(first, 'POST', '/sandbox/cards', { lastName: '保存', firstName: '太郎', companyName: '永続化株式会社', tags: ['再起動テスト'] })
    ).body;
    first.advanceClock(3_600_000);
    const token = (await api(first, key, '/bizCards', { ...everything, limit: 50 })).body.nextPageToken;
    const before = (await allPages(first, key, '/bizCards', everything)).cards;
    const infoBefore = first.info();
    await first.close();
    assert.ok((await stat(snapshotPath)).size > 0);

    const second = await startSansanSandbox({ snapshotPath, limits: { requestsPerSecond: 0 } });
    try {
      assert.deepEqual(second.info().apiKeys, infoBefore.apiKeys, 'the same API keys');
      const after = (await allPages(second, key, '/bizCards', everything)).cards;
      assert.deepEqual(after, before, 'the same cards, with their tags and times');
      assert.equal((await api(second, key, `/bizCards/${created.id}`)).body.item.lastName, '保存');
      assert.equal((await api(second, key, '/bizCards', { nextPageToken: token })).status, 200, 'a page token issued before the restart still works');
      const newer = (await control(second, 'POST', '/sandbox/cards', { companyName: 'After Restart Ltd.' })).body;
      assert.ok(Date.parse(newer.updatedTime) > Date.now() + 3_500_000, 'the clock kept its hour of advance');
    } finally {
      await second.close();
    }
  });
});
