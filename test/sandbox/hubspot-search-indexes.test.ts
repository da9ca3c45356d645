/**
 * The search indexes must answer exactly what a naive scan answers, whatever mix of
 * creates, updates and archives came before (they are maintained incrementally).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from '../../sandbox/hubspot/random.ts';
import { SortedIndex } from '../../sandbox/hubspot/model/sorted-index.ts';
import { startHubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { call } from '../support/hubspot-harness.ts';

describe('HubSpot sandbox search indexes', () => {
  it('keep a chunked sorted index equal to a sorted array under random inserts and removals', () => {
    const random = createRandom(99);
    const index = new SortedIndex();
    const model: Array<[number, number]> = [];
    const byKey = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
    for (let step = 0; step < 6000; step++) {
      if (model.length > 0 && random() < 0.35) {
        const [key, id] = model.splice(Math.floor(random() * model.length), 1)[0];
        index.remove(key, id);
      } else {
        const entry: [number, number] = [Math.floor(random() * 500), step];
        model.push(entry);
        index.insert(entry[0], entry[1]);
      }
    }
    model.sort(byKey);
    assert.equal(index.size, model.length);
    assert.deepEqual(
      [...index.slice(0, index.size)],
      model.map((e) => e[1]),
    );
    assert.deepEqual([...index.slice(0, index.size, true)], model.map((e) => e[1]).reverse());
    for (const probe of [0, 1, 77, 250, 499, 600]) {
      const [gtFrom] = index.range('GT', probe);
      assert.equal(gtFrom, model.filter((e) => e[0] <= probe).length);
      const [eqFrom, eqTo] = index.range('EQ', probe);
      assert.deepEqual(
        [...index.slice(eqFrom, eqTo)],
        model.filter((e) => e[0] === probe).map((e) => e[1]),
      );
    }
  });

  it('answers searches like a naive scan after creates, updates and archives', async () => {
    const sandbox = await startHubSpotSandbox({ limits: { searchPerSecond: 100_000, privateAppTenSecondly: 100_000 } });
    try {
      const token = sandbox.info().portals[0].privateAppToken;
      const api = (method: string, path: string, body?: unknown) => call(sandbox.url, method, path, { token, body });
      const random = createRandom(5);
      const model = new Map<string, { numberofemployees?: number; name: string }>();
      const query = async (filters: unknown[], sorts: unknown[] = []) => {
        const ids: string[] = [];
        let after: string | undefined = '0';
        let total = 0;
        while (after !== undefined) {
          const page = await api('POST', '/crm/v3/objects/companies/search', {
            filterGroups: [{ filters }],
            sorts,
            limit: 200,
            after,
            properties: ['numberofemployees'],
          });
          total = page.body.total;
          ids.push(...page.body.results.map((r: { id: string }) => r.id));
          after = page.body.paging?.next?.after;
        }
        assert.equal(ids.length, total);
        return ids;
      };
      for (let round = 0; round < 4; round++) {
        const inputs = Array.from({ length: 100 }, (_, i) => ({
          properties: { name: `c${round}-${i}`, ...(random() < 0.8 ? { numberofemployees: String(Math.floor(random() * 50)) } : {}) },
        }));
        const created = await api('POST', '/crm/v3/objects/companies/batch/create', { inputs });
        for (const record of created.body.results) {
          model.set(record.id, {
            name: record.properties.name,
            numberofemployees: record.properties.numberofemployees === undefined ? undefined : Number(record.properties.numberofemployees),
          });
        }
        // Warm the indexes in the first round so later rounds exercise incremental upkeep.
        await query([{ propertyName: 'numberofemployees', operator: 'GT', value: '10' }], [{ propertyName: 'numberofemployees', direction: 'ASCENDING' }]);
        const ids = [...model.keys()];
        for (let change = 0; change < 40; change++) {
          const id = ids[Math.floor(random() * ids.length)];
          if (!model.has(id)) continue;
          if (random() < 0.3) {
            await api('DELETE', `/crm/v3/objects/companies/${id}`);
            model.delete(id);
          } else {
            const value = random() < 0.2 ? '' : String(Math.floor(random() * 50));
            await api('PATCH', `/crm/v3/objects/companies/${id}`, { properties: { numberofemployees: value } });
            model.get(id)!.numberofemployees = value === '' ? undefined : Number(value);
          }
        }
      }
      const expect = (test: (n: number | undefined) => boolean) => [...model].filter(([, r]) => test(r.numberofemployees)).map(([id]) => id);
      assert.deepEqual(
        (await query([{ propertyName: 'numberofemployees', operator: 'GT', value: '10' }])).sort(),
        expect((n) => n !== undefined && n > 10).sort(),
      );
      assert.deepEqual((await query([{ propertyName: 'numberofemployees', operator: 'EQ', value: '7' }])).sort(), expect((n) => n === 7).sort());
      assert.deepEqual((await query([{ propertyName: 'numberofemployees', operator: 'NOT_HAS_PROPERTY' }])).sort(), expect((n) => n === undefined).sort());
      const sorted = await query(
        [{ propertyName: 'numberofemployees', operator: 'BETWEEN', value: '5', highValue: '30' }],
        [{ propertyName: 'numberofemployees', direction: 'DESCENDING' }],
      );
      const values = sorted.map((id) => model.get(id)!.numberofemployees!);
      assert.deepEqual(
        values,
        [...values].sort((a, b) => b - a),
      );
      assert.equal(sorted.length, expect((n) => n !== undefined && n >= 5 && n <= 30).length);
    } finally {
      await sandbox.close();
    }
  });
});
