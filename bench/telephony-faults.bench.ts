/**
 * Call logging under load with faults on (T8, exactly once): the same 10,000
 * calls at 50/s as telephony-calls, on PostgreSQL with `spokes start` and two
 * `spokes worker` processes, while HubSpot answers 10 % of requests with 429
 * and 5 % with 5xx, the PBX sends every call record twice, the WebSocket is
 * cut once, and one worker is killed with SIGKILL. Nothing may be lost or
 * logged twice. BENCH_CALLS / BENCH_RATE change the size and the rate.
 */
import { report } from './support.ts';
import { runCalls } from './telephony-run.ts';
import { startWorld } from './telephony-support.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const BUDGET_MS = 8 * 60_000;

const startedAt = Date.now();
const world = await startWorld({ engine: 'postgres', workers: 2 });
const events: string[] = [];
try {
  world.hubspot.setFaults({ rateLimitProbability: 0.1, serverErrorProbability: 0.05, pathPrefixes: ['/crm/'], seed: 11 });
  world.pbx.setFaults({ duplicateCdrEvents: true });
  let dropped = false;
  let killed = false;
  await runCalls(world, {
    bench: 'telephony-faults-postgres',
    calls: CALLS,
    perSecond: RATE,
    budgetMs: BUDGET_MS,
    startedAt,
    rateLimitNote: 'injected 429s are answered before HubSpot knows the app, so they are not in this count: see the faults line',
    async during(placed) {
      if (!dropped && placed >= CALLS / 3) {
        dropped = true;
        // Every open socket cut at once (code 1006), the duplicates staying on.
        world.pbx.setFaults({ duplicateCdrEvents: true, dropWebSocket: 'now' });
        events.push(`WebSocket cut after ${placed} calls`);
      }
      if (!killed && placed >= CALLS / 2) {
        killed = true;
        world.workers[0]!.child.kill('SIGKILL');
        events.push(`worker ${world.workers[0]!.child.pid} killed with SIGKILL after ${placed} calls`);
      }
    },
    afterPlacing() {
      // HubSpot's faults stay on while Spokes catches up.
      world.pbx.setFaults({});
    },
    afterDrain() {
      world.hubspot.setFaults({});
    },
  });
  const { faults } = world.hubspot.stats();
  report({
    bench: 'telephony-faults-postgres',
    metric: 'faults_injected',
    value: faults.rateLimit + faults.serverError,
    unit: 'responses',
    note: `${faults.rateLimit} × 429 and ${faults.serverError} × 5xx from HubSpot; every call record sent twice; ${events.join('; ')}`,
  });
} finally {
  await world.close();
}
