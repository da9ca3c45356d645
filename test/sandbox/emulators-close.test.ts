/**
 * An emulator closed while a request is in flight answers that request and closes at once. Before,
 * the answered connection stayed open for Fastify's 72 s keep-alive timeout and `close()` waited for
 * it: a test world closed in the middle of Spokes' first Sansan pass took 70 s to stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startHubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startSansanSandbox } from '../../sandbox/sansan/index.ts';

/** Sends `request` (answered ~300 ms late), closes the emulator meanwhile; both must end within seconds. */
async function closeDuringRequest(emulator: { close(): Promise<void> }, request: () => Promise<Response>) {
  const answer = request();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  await emulator.close();
  const closeMs = performance.now() - started;
  const res = await answer;
  return { closeMs, status: res.status };
}

describe('emulators closed with a request in flight', () => {
  it('HubSpot answers it, then closes without waiting for the keep-alive timeout', async () => {
    const hubspot = await startHubSpotSandbox({ port: 0 });
    const token = hubspot.info().portals.find((p) => p.type === 'STANDARD')!.privateAppToken;
    await fetch(`${hubspot.url}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 300 }) });
    const { closeMs, status } = await closeDuringRequest(hubspot, () =>
      fetch(`${hubspot.url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } }),
    );
    assert.equal(status, 200);
    assert.ok(closeMs < 5_000, `close took ${Math.round(closeMs)} ms`);
  });

  it('Sansan answers it, then closes without waiting for the keep-alive timeout', async () => {
    const sansan = await startSansanSandbox({ port: 0, seed: { cards: 5, seed: 1 } });
    const { key } = sansan.info().apiKeys[0]!;
    await fetch(`${sansan.url}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 300 }) });
    const { closeMs, status } = await closeDuringRequest(sansan, () => fetch(`${sansan.info().apiBaseUrl}/me`, { headers: { 'X-Sansan-Api-Key': key } }));
    assert.equal(status, 200);
    assert.ok(closeMs < 5_000, `close took ${Math.round(closeMs)} ms`);
  });
});
