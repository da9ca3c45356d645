/**
 * Call logging under load (T8): 10,000 simulated calls — inbound, outbound and
 * missed, 20 % from unknown numbers (each becomes a contact), the CRM contacts
 * among the callers copied into the PBX phonebook — at a steady 50 calls/s,
 * against the emulators with HubSpot's real limits (an OAuth install: 110
 * requests / 10 s) and Spokes (`spokes start`, embedded database) as a child
 * process. Reports calls logged exactly once (counted in the emulator), the
 * latency from the PBX's call record to the engagement in HubSpot, HubSpot
 * requests per logged call and the 429s Spokes received.
 * BENCH_CALLS / BENCH_RATE / BENCH_ENGINE change the size, the rate and the database;
 * BENCH_BUDGET_S the time allowed for the whole run (a short run needs less); BENCH_WS_IDLE_MS the
 * PBX's WebSocket idle timeout (60 s as on a real PBX; 3000 drops Spokes' socket every few seconds).
 * A lost call is explained on stderr: its record at the PBX, its row in Spokes' call log, its job.
 */
import { runCalls } from './telephony-run.ts';
import { startWorld } from './telephony-support.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const ENGINE = (process.env.BENCH_ENGINE ?? 'pglite') as 'pglite' | 'postgres';
/** The whole run, setup included, stays under this. */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? 8 * 60) * 1000;
const bench = `telephony-calls-${ENGINE}`;

const startedAt = Date.now();
const world = await startWorld({ engine: ENGINE });
try {
  await runCalls(world, { bench, calls: CALLS, perSecond: RATE, budgetMs: BUDGET_MS, startedAt });
} finally {
  await world.close();
}
