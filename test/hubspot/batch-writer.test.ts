/**
 * The batch writer against the emulator: single writes leave as batches of at
 * most 100, each caller gets its own record or its own error (207 partial
 * failures, batches refused as a whole), 429s and 5xx are retried, and a create
 * whose answer was lost is not created twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { BatchWriter } from '../../src/hubspot/batch-writer.ts';
import { RemoteRejectedError } from '../../src/errors.ts';
import { engines } from '../support/databases.ts';
import { FAST, hubspotRequest, startHubSpotWorld, type HubSpotWorld } from './harness.ts';

/** Forwards to the emulator; loses the answers of the next `dropAnswers` batch creates after HubSpot processed them. */
class LossyProxy {
  dropAnswers = 0;
  dropped = 0;
  server?: Server;

  async start(target: string): Promise<string> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(
        Object.entries(req.headers)
          .filter(([k]) => !['host', 'connection', 'content-length'].includes(k))
          .map(([k, v]) => [k, String(v)]),
      );
      const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await answer.arrayBuffer());
      if (req.url?.includes('/batch/create') && this.dropAnswers > 0) {
        this.dropAnswers--;
        this.dropped++;
        req.socket.destroy();
        return;
      }
      res.writeHead(
        answer.status,
        Object.fromEntries([...answer.headers].filter(([k]) => !['content-encoding', 'transfer-encoding', 'content-length'].includes(k))),
      );
      res.end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

for (const engine of engines) {
  describe(`HubSpot batch writer (${engine})`, () => {
    let world: HubSpotWorld;
    const proxy = new LossyProxy();
    let run = 0;

    before(async () => {
      world = await startHubSpotWorld(engine, { budget: FAST.budget, sandbox: { limits: FAST.sandboxLimits }, apiBaseUrl: (url) => proxy.start(url) });
    });
    after(async () => {
      await world.close();
      await proxy.close();
    });

    const writer = (opts: Partial<ConstructorParameters<typeof BatchWriter>[0]> = {}) =>
      new BatchWriter({ api: world.hubspot.api, log: world.log, lingerMs: 20, ...opts });
    const contact = (n: number, prefix: string) => ({ properties: { email: `${prefix}.${n}@batch.example`, firstname: 'Batch', lastname: String(n) } });
    const requests = (route: string) =>
      Object.entries(world.sandbox.stats().byRoute)
        .filter(([r]) => r.endsWith(route))
        .reduce((n, [, s]) => n + Object.values(s).reduce((a, b) => a + b, 0), 0);
    async function countByEmail(prefix: string): Promise<{ total: number; distinct: number }> {
      const res = await hubspotRequest(world, 'POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [
          {
            filters: [
              { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: `*@batch.example` },
              { propertyName: 'firstname', operator: 'EQ', value: 'Batch' },
            ],
          },
        ],
        properties: ['email'],
        limit: 200,
        after: '0',
      });
      let all = res.body.results as { properties: { email: string } }[];
      for (let after = 200; after < res.body.total; after += 200) {
        all = all.concat(
          (
            await hubspotRequest(world, 'POST', '/crm/v3/objects/contacts/search', {
              filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: `*@batch.example` }] }],
              properties: ['email'],
              limit: 200,
              after: String(after),
            })
          ).body.results,
        );
      }
      const mine = all.filter((r) => r.properties.email.startsWith(`${prefix}.`));
      return { total: mine.length, distinct: new Set(mine.map((r) => r.properties.email)).size };
    }

    it('sends 250 creates as batches of 100, 100 and 50, and gives each caller its own record', async () => {
      const prefix = `split${run++}`;
      const before = requests('/batch/create');
      const w = writer();
      const written = await Promise.all(Array.from({ length: 250 }, (_, i) => w.create('contacts', contact(i, prefix))));
      assert.equal(requests('/batch/create') - before, 3);
      assert.equal(w.stats.requests, 3);
      written.forEach((r, i) => assert.equal(r.properties.email, `${prefix}.${i}@batch.example`));
      assert.equal(new Set(written.map((r) => r.id)).size, 250);
      assert.deepEqual(await countByEmail(prefix), { total: 250, distinct: 250 });
    });

    it('maps a 207 partial failure back: only the failed inputs reject', async () => {
      const prefix = `partial${run++}`;
      const w = writer();
      const results = await Promise.allSettled([
        w.create('contacts', contact(0, prefix)),
        w.create('contacts', { properties: { email: `${prefix}.1@batch.example`, no_such_property: 'x' } }),
        w.create('contacts', contact(2, prefix)),
        w.create('contacts', { properties: { email: 'not-an-email', firstname: 'Batch' } }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled', 'rejected'],
      );
      const failed = results[1] as PromiseRejectedResult;
      assert.ok(failed.reason instanceof RemoteRejectedError);
      assert.match(failed.reason.message, /no_such_property/);
      assert.equal((results[0] as PromiseFulfilledResult<{ properties: Record<string, string> }>).value.properties.email, `${prefix}.0@batch.example`);
      assert.deepEqual(await countByEmail(prefix), { total: 2, distinct: 2 });
      assert.equal(w.stats.requests, 1, 'one batch, answered 207');
    });

    it('updates by id and by e-mail; an unknown id and a batch refused as a whole fail only their own inputs', async () => {
      const prefix = `update${run++}`;
      const w = writer();
      const [a, b] = await Promise.all([w.create('contacts', contact(0, prefix)), w.create('contacts', contact(1, prefix))]);
      const results = await Promise.allSettled([
        w.update('contacts', { id: a.id, properties: { jobtitle: 'CEO' } }),
        w.update('contacts', { id: `${prefix}.1@batch.example`, idProperty: 'email', properties: { jobtitle: 'CTO' } }),
        w.update('contacts', { id: '987654321', properties: { jobtitle: 'Nobody' } }),
        w.update('contacts', { id: b.id, properties: { hubspot_owner_id: 'not-a-number' } }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'rejected'],
        results.map((r) => (r.status === 'rejected' ? r.reason.message : 'ok')).join(' | '),
      );
      assert.equal((results[1] as PromiseFulfilledResult<{ id: string }>).value.id, b.id);
      assert.equal(
        ((results[2] as PromiseRejectedResult).reason as RemoteRejectedError).remoteStatus,
        404,
        String((results[2] as PromiseRejectedResult).reason?.message),
      );
      const read = await hubspotRequest(world, 'GET', `/crm/v3/objects/contacts/${b.id}?properties=jobtitle`);
      assert.equal(read.body.properties.jobtitle, 'CTO');
    });

    it('upserts by e-mail and says which records it created', async () => {
      const prefix = `upsert${run++}`;
      const w = writer();
      const existing = await w.create('contacts', contact(0, prefix));
      const [same, fresh] = await Promise.all([
        w.upsert('contacts', { id: `${prefix}.0@batch.example`, idProperty: 'email', properties: { lastname: 'Updated' } }),
        w.upsert('contacts', { id: `${prefix}.1@batch.example`, idProperty: 'email', properties: { firstname: 'Batch', lastname: 'New' } }),
      ]);
      assert.deepEqual([same.id, same.created, fresh.created], [existing.id, false, true]);
    });

    it('retries 429s from the emulator and writes every record exactly once', async () => {
      const prefix = `limited${run++}`;
      world.sandbox.setFaults({ rateLimitProbability: 0.5, pathPrefixes: ['/crm/v3/objects/contacts/batch'], seed: 7 });
      const injected = world.sandbox.stats().faults.rateLimit;
      try {
        const w = writer({ rateLimitRetries: 20 });
        const written = await Promise.all(Array.from({ length: 300 }, (_, i) => w.create('contacts', contact(i, prefix))));
        assert.equal(written.length, 300);
      } finally {
        world.sandbox.setFaults({});
      }
      assert.ok(world.sandbox.stats().faults.rateLimit > injected, `the emulator answered 429 (${JSON.stringify(world.sandbox.stats().faults)})`);
      assert.deepEqual(await countByEmail(prefix), { total: 300, distinct: 300 });
    });

    it('retries 5xx and lost answers without creating a record twice', async () => {
      const prefix = `lost${run++}`;
      world.sandbox.setFaults({ serverErrorProbability: 0.3, pathPrefixes: ['/crm/v3/objects/contacts/batch'], seed: 3 });
      proxy.dropAnswers = 2;
      const injected = world.sandbox.stats().faults.serverError;
      try {
        const w = writer({ identity: { contacts: 'email' } });
        const written = await Promise.all(Array.from({ length: 200 }, (_, i) => w.create('contacts', contact(i, prefix))));
        assert.deepEqual(
          written.map((r) => r.properties.email),
          Array.from({ length: 200 }, (_, i) => `${prefix}.${i}@batch.example`),
        );
      } finally {
        world.sandbox.setFaults({});
      }
      assert.ok(world.sandbox.stats().faults.serverError > injected, 'the emulator answered 5xx');
      assert.equal(proxy.dropped, 2, 'two batches were created in HubSpot but their answers were lost');
      assert.deepEqual(await countByEmail(prefix), { total: 200, distinct: 200 });
    });

    it('inputs that arrive while the rate budget holds the batch back join it: one full request, not many small ones', async () => {
      const prefix = `held${run++}`;
      const before = requests('/batch/create');
      const w = writer({ lingerMs: 10 });
      // Every worker of the account is held back for 600 ms (as after a 429); meanwhile 100 inputs trickle in, 10 every 25 ms.
      await world.budget.penalize(world.portalId, 'general', 'private_app', 600);
      const written: Promise<unknown>[] = [];
      for (let wave = 0; wave < 10; wave++) {
        for (let i = 0; i < 10; i++) written.push(w.create('contacts', contact(wave * 10 + i, prefix)));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await Promise.all(written);
      assert.equal(requests('/batch/create') - before, 1, 'the 100 inputs left in one batch create once the budget had a slot');
      assert.deepEqual(await countByEmail(prefix), { total: 100, distinct: 100 });
    });

    it('flush() sends a partly filled batch at once', async () => {
      const w = writer({ lingerMs: 60_000 });
      const pending = w.create('contacts', contact(0, `flush${run++}`));
      await w.flush();
      assert.ok((await pending).id);
    });
  });
}
