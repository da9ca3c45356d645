/**
 * Call logging under load (T8): 10,000 simulated calls — inbound, outbound and
 * missed, 20 % from unknown numbers (each becomes a contact), the CRM contacts
 * among the callers copied into the PBX phonebook — at a steady 50 calls/s,
 * against the emulators with HubSpot's real limits (an OAuth install: 110
 * requests / 10 s) and Spokes (`spokes start`, embedded database) as a child
 * process. Reports calls logged exactly once (counted in the emulator), the
 * latency from the PBX's call record to the engagement in HubSpot, HubSpot
 * requests per logged call and the 429s Spokes received.
 * BENCH_CALLS / BENCH_RATE / BENCH_ENGINE change the size, the rate and the database.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, report, round } from './support.ts';
import { engagementsByCall, observeCdrs, placeCalls, planCalls, spokesTraffic, startWorld } from './telephony-support.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const ENGINE = (process.env.BENCH_ENGINE ?? 'pglite') as 'pglite' | 'postgres';
/** The whole run, setup included, stays under this. */
const BUDGET_MS = 8 * 60_000;
const bench = `telephony-calls-${ENGINE}`;

const started = Date.now();
const world = await startWorld({ engine: ENGINE });
try {
  const observer = await observeCdrs(world.pbx);
  const plan = planCalls(world, CALLS);
  const before = spokesTraffic(world);
  const loggedToday = async () => ((await (await world.admin.request('GET', '/api/telephony')).json()) as { today: { logged: number } }).today.logged;
  const progress: string[] = [];
  const load = await placeCalls(world.pbx, plan, RATE, async (placed) => {
    if (placed % (RATE * 20) < RATE) progress.push(`${placed} placed / ${await loggedToday()} logged`);
  });

  // Drain: every call ends within a few seconds; wait until Spokes has logged them all, within the budget.
  let logged = await loggedToday();
  while (logged < CALLS && Date.now() - started < BUDGET_MS) {
    await sleep(2_000);
    logged = await loggedToday();
  }
  const drainedAt = Date.now();
  await sleep(3_000);
  const traffic = spokesTraffic(world);
  observer.close();

  const byCall = await engagementsByCall(world);
  const uidOf = new Map(world.pbx.cdrs().map((c) => [c.call_id, `uid:${c.uid}`]));
  let lost = 0;
  const lostCalls: string[] = [];
  let duplicated = 0;
  const latencies: number[] = [];
  for (const callId of load.callIds) {
    const created = [...(byCall.get(callId) ?? []), ...(byCall.get(uidOf.get(callId) ?? '') ?? [])];
    if (created.length === 0) {
      lost++;
      const i = load.callIds.indexOf(callId);
      if (lostCalls.length < 5) lostCalls.push(`${callId} ${JSON.stringify(plan[i])} cdr=${JSON.stringify(world.pbx.cdrs().find((c) => c.call_id === callId) ?? null)} observed=${observer.arrivals.has(callId)}`);
    }
    duplicated += Math.max(0, created.length - 1);
    const cdrAt = observer.arrivals.get(callId);
    if (created.length && cdrAt) latencies.push(Math.min(...created) - cdrAt);
  }
  latencies.sort((a, b) => a - b);
  const loggedCalls = load.callIds.length - lost;
  const requests = traffic.requests - before.requests;
  const routes = Object.entries(traffic.byRoute).map(([route, byStatus]) => {
    const n = Object.values(byStatus).reduce((a, b) => a + b, 0) - Object.values(before.byRoute[route] ?? {}).reduce((a, b) => a + b, 0);
    return [route, n] as const;
  }).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ');

  report({ bench, metric: 'calls_logged', value: loggedCalls, unit: 'calls', ceiling: CALLS, target: 'min',
    note: `${CALLS} calls placed in ${round(load.seconds)} s (${round(CALLS / load.seconds)} calls/s, generator at most ${round(load.lagMs)} ms behind); all logged ${round((drainedAt - started) / 1000)} s after setup began; ${progress.join('; ')}` });
  report({ bench, metric: 'calls_lost', value: lost, unit: 'calls', ceiling: 0, target: 'max', ...(lostCalls.length ? { note: lostCalls.join(' | ') } : {}) });
  if (lost || process.env.BENCH_VERBOSE) process.stderr.write(`Spokes' warnings:\n${[world.server, ...world.workers].map((p) => p.output()).join('\n').split('\n').filter((l) => /"level":(40|50)/.test(l)).slice(-30).join('\n')}\n`);
  report({ bench, metric: 'calls_duplicated', value: duplicated, unit: 'engagements', ceiling: 0, target: 'max' });
  report({ bench, metric: 'latency_p50', value: round(percentile(latencies, 50)), unit: 'ms', note: 'from the PBX publishing the call record to the engagement existing in HubSpot' });
  report({ bench, metric: 'latency_p99', value: round(percentile(latencies, 99)), unit: 'ms' });
  report({ bench, metric: 'hubspot_requests_per_logged_call', value: round(requests / Math.max(1, loggedCalls), 3), unit: 'requests/call', ceiling: 0.2, target: 'max',
    note: `${requests} requests of Spokes' OAuth app (ceiling 1, target 0.2): ${routes}` });
  report({ bench, metric: 'rate_limited_responses', value: traffic.rateLimited - before.rateLimited, unit: '429s', ceiling: 0, target: 'max' });
} finally {
  await world.close();
}
