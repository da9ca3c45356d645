/**
 * `spokes start` in sandbox mode, watched from its first answer: while the
 * emulators start, `GET /api/sandbox` answers 503 `starting` (never 404 "not
 * in sandbox mode") and `/healthz` is not ready; "Spokes is ready." is printed
 * only once both answer 200. A script that waits for /healthz can then ask
 * /api/sandbox.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSpokes, type SpokesProcess } from '../support/processes.ts';
import { freePort } from '../support/world.ts';

describe('sandbox start-up', () => {
  let p: SpokesProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'spokes-sandbox-startup-'));
  after(async () => {
    if (p) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 `starting` and an unready /healthz until everything is wired, then prints "ready"', { timeout: 110_000 }, async () => {
    const port = await freePort();
    p = runSpokes(['start'], { SPOKES_DATA_DIR: dataDir, SPOKES_PORT: String(port), SPOKES_SANDBOX: 'on', SPOKES_SANDBOX_PORT: '0', SPOKES_LOG_LEVEL: 'warn' });
    const base = `http://127.0.0.1:${port}`;
    const seen = { sandbox: new Map<string, number>(), healthReadyBeforeSandbox: 0, readyLineBeforeSandbox: 0 };
    const deadline = Date.now() + 100_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`not ready in time; output:\n${p.output()}`);
      const readyLine = p.output().includes('Spokes is ready.');
      const health = await fetch(`${base}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      const sandbox = await fetch(`${base}/api/sandbox`).then(
        async (r) => `${r.status} ${r.status === 503 ? ((await r.json()) as { error: { code: string } }).error.code : ''}`.trim(),
        () => 'refused',
      );
      seen.sandbox.set(sandbox, (seen.sandbox.get(sandbox) ?? 0) + 1);
      // Readiness only moves forward: once /healthz (or the "ready" line) says ready, the sandbox answers.
      if (health === 200 && sandbox !== '200') seen.healthReadyBeforeSandbox++;
      if (readyLine && sandbox !== '200') seen.readyLineBeforeSandbox++;
      if (readyLine && sandbox === '200' && health === 200) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const kinds = [...seen.sandbox.keys()];
    assert.deepEqual(
      kinds.filter((k) => !['refused', '503 starting', '200'].includes(k)),
      [],
      `unexpected answers: ${kinds.join(', ')}`,
    );
    assert.ok(seen.sandbox.get('503 starting'), `the starting window was seen (${kinds.join(', ')})`);
    assert.equal(seen.healthReadyBeforeSandbox, 0);
    assert.equal(seen.readyLineBeforeSandbox, 0);
    const info = (await (await fetch(`${base}/api/sandbox`)).json()) as Record<string, { system: string }>;
    assert.deepEqual(Object.keys(info), ['hubspot', 'yeastar', 'sansan', 'calcom', 'immedio'], 'one key per emulator, from the registry');
  });
});
