/**
 * Time from `spokes start` to the first `/healthz` 200: on an empty data
 * directory (embedded database created) and on an existing one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runSpokes } from '../test/support/processes.ts';
import { report } from './support.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function timeToHealthy(dataDir: string, sandbox: 'on' | 'off'): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const p = runSpokes(['start'], {
    SPOKES_DATA_DIR: dataDir,
    SPOKES_PORT: String(port),
    SPOKES_LOG_LEVEL: 'warn',
    SPOKES_SANDBOX: sandbox,
    SPOKES_SANDBOX_PORT: '0',
  });
  try {
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (res?.status === 200) return performance.now() - started;
      if (p.child.exitCode !== null) throw new Error(`spokes start exited: ${p.output()}`);
      await sleep(10);
    }
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
}

/**
 * Two figures per data directory: the server alone (SPOKES_SANDBOX=off, the foundation's target), and
 * `npm start`'s default sandbox mode, where the emulators start and connect right after the server
 * listens (their start-up work shares the event loop with the first /healthz answer).
 */
for (const sandbox of ['off', 'on'] as const) {
  const dataDir = mkdtempSync(join(tmpdir(), 'spokes-bench-start-'));
  try {
    const empty = await timeToHealthy(dataDir, sandbox);
    report({
      bench: 'startup',
      metric: `start_to_healthy_empty_data_dir_sandbox_${sandbox}`,
      value: Math.round(empty),
      unit: 'ms',
      ceiling: 3000,
      target: 'max',
    });
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timeToHealthy(dataDir, sandbox));
    runs.sort((a, b) => a - b);
    report({
      bench: 'startup',
      metric: `start_to_healthy_existing_data_dir_sandbox_${sandbox}`,
      value: Math.round(runs[1]!),
      unit: 'ms',
      ceiling: 3000,
      target: 'max',
      note: 'median of 3',
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
