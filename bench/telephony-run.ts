/**
 * A telephony benchmark run: a steady call generator on the PBX emulator, an
 * independent observer of the PBX's call records, and the count afterwards in
 * the HubSpot emulator (lost, duplicated, latency), printed as one JSON line
 * per figure. The world it runs in is `telephony-support.ts`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { YeastarSandbox } from '../sandbox/yeastar/index.ts';
import { PbxClient, UA } from '../test/support/yeastar-client.ts';
import { percentile, report, round } from './support.ts';
import { dumpWarnings, explainLost, uidKey, type LostCall } from './telephony-diagnostics.ts';
import { spokesTraffic, type World } from './telephony-support.ts';

/** When each call's record (30012) reached a client subscribed to the PBX: the start of the latency measure. Reconnects after drops. */
export async function observeCdrs(pbx: YeastarSandbox): Promise<{ arrivals: Map<string, number>; close(): void }> {
  const client = new PbxClient(pbx);
  await client.login();
  const arrivals = new Map<string, number>();
  let closed = false;
  let socket: WebSocket | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const open = () => {
    const ws = new WebSocket(`${pbx.info().websocketUrl}?access_token=${client.token}`, { headers: UA });
    socket = ws;
    ws.on('open', () => ws.send(JSON.stringify({ topic_list: [30012] })));
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.startsWith('{')) return;
      const frame = JSON.parse(text) as { type?: number; msg?: string };
      if (frame.type !== 30012 || !frame.msg) return;
      const msg = JSON.parse(frame.msg) as { call_id: string };
      if (!arrivals.has(msg.call_id)) arrivals.set(msg.call_id, Date.now());
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!closed) setTimeout(open, 50);
    });
  };
  open();
  heartbeat = setInterval(() => socket?.readyState === WebSocket.OPEN && socket.send('heartbeat'), 1_000);
  return {
    arrivals,
    close: () => {
      closed = true;
      clearInterval(heartbeat);
      socket?.close();
    },
  };
}

export interface CallPlan {
  direction: 'inbound' | 'outbound';
  outcome: 'answered' | 'no_answer' | 'busy' | 'voicemail' | 'failed';
  external: string;
  extension: string;
  ringSeconds: number;
  talkSeconds: number;
  unknown: boolean;
}

/** The office's mix: 60 % inbound (a third of them missed), 40 % outbound (a third not connected); 20 % unknown numbers. */
export function planCalls(world: Pick<World, 'extensions' | 'knownNumbers'>, n: number, seed = 1): CallPlan[] {
  let s = seed;
  const random = () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const out: CallPlan[] = [];
  for (let i = 0; i < n; i++) {
    const r = random();
    const [direction, outcome] =
      r < 0.4
        ? ['inbound', 'answered']
        : r < 0.52
          ? ['inbound', 'no_answer']
          : r < 0.56
            ? ['inbound', 'busy']
            : r < 0.6
              ? ['inbound', 'voicemail']
              : r < 0.87
                ? ['outbound', 'answered']
                : r < 0.94
                  ? ['outbound', 'no_answer']
                  : r < 0.98
                    ? ['outbound', 'busy']
                    : ['outbound', 'failed'];
    const unknown = random() < 0.2;
    out.push({
      direction: direction as CallPlan['direction'],
      outcome: outcome as CallPlan['outcome'],
      unknown,
      // Unknown numbers are new each time (each one a new contact); known ones repeat.
      external: unknown ? `+1628555${String(i % 10_000).padStart(4, '0')}` : world.knownNumbers[Math.floor(random() * world.knownNumbers.length)]!,
      extension: world.extensions[Math.floor(random() * world.extensions.length)]!,
      ringSeconds: 2 + Math.floor(random() * 10),
      talkSeconds: outcome === 'answered' || outcome === 'voicemail' ? 5 + Math.floor(random() * 60) : 0,
    });
  }
  return out;
}

/** Places the calls at a steady rate; returns their call ids in order. `onProgress` is called once a second. */
export async function placeCalls(
  pbx: YeastarSandbox,
  plan: CallPlan[],
  perSecond: number,
  onProgress?: (placed: number) => void | Promise<void>,
): Promise<{ callIds: string[]; seconds: number; lagMs: number }> {
  const callIds: string[] = [];
  const started = performance.now();
  let lastReport = 0;
  let lagMs = 0;
  while (callIds.length < plan.length) {
    const due = Math.min(plan.length, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
    // How far behind schedule the generator fell (the event loop it shares with the emulators).
    lagMs = Math.max(lagMs, ((due - callIds.length) / perSecond) * 1000);
    while (callIds.length < due) {
      const { unknown: _u, ...spec } = plan[callIds.length]!;
      callIds.push(pbx.simulateCall(spec).call_id);
    }
    const second = Math.floor((performance.now() - started) / 1000);
    if (onProgress && second > lastReport) {
      lastReport = second;
      await onProgress(callIds.length);
    }
    await sleep(10);
  }
  return { callIds, seconds: (performance.now() - started) / 1000, lagMs };
}

/** Every call engagement HubSpot holds: external id → creation times (ms). */
export async function engagementsByCall(world: Pick<World, 'read'>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  let after: string | undefined;
  do {
    const page = await world.read(`/crm/v3/objects/calls?limit=100&properties=hs_call_external_id${after ? `&after=${after}` : ''}`);
    for (const r of page.results as { properties: { hs_call_external_id: string }; createdAt: string }[]) {
      const list = out.get(r.properties.hs_call_external_id) ?? [];
      list.push(Date.parse(r.createdAt));
      out.set(r.properties.hs_call_external_id, list);
    }
    after = page.paging?.next?.after;
  } while (after);
  return out;
}

export interface RunOptions {
  bench: string;
  calls: number;
  perSecond: number;
  /** The whole run, setup included, stays under this (ms since `startedAt`). */
  budgetMs: number;
  startedAt: number;
  /** Called once a second with the calls placed so far (faults are switched here). */
  during?: (placed: number) => void | Promise<void>;
  /** Called once every call was placed, before draining. */
  afterPlacing?: () => void | Promise<void>;
  /** Called once Spokes has logged every call (or the budget ran out), before counting. */
  afterDrain?: () => void | Promise<void>;
  /** What the 429 figure is compared with, and how to read it. */
  rateLimitNote?: string;
}

/**
 * Places the calls at a steady rate, waits until Spokes has logged them (within the budget), then
 * counts in the HubSpot emulator — lost, duplicated, latency — and prints one JSON line per figure.
 */
export async function runCalls(world: World, opts: RunOptions): Promise<void> {
  const { bench, calls } = opts;
  const observer = await observeCdrs(world.pbx);
  const plan = planCalls(world, calls);
  const before = spokesTraffic(world);
  const loggedToday = async () => ((await (await world.admin.request('GET', '/api/telephony')).json()) as { today: { logged: number } }).today.logged;
  const progress: string[] = [];
  const load = await placeCalls(world.pbx, plan, opts.perSecond, async (placed) => {
    if (placed % (opts.perSecond * 20) < opts.perSecond) progress.push(`${placed} placed / ${await loggedToday()} logged`);
    await opts.during?.(placed);
  });
  await opts.afterPlacing?.();

  // Drain: every call ends within a few seconds; wait until Spokes has logged them all, within the budget.
  let logged = await loggedToday();
  while (logged < calls && Date.now() - opts.startedAt < opts.budgetMs) {
    await sleep(2_000);
    logged = await loggedToday();
  }
  const drainedAt = Date.now();
  await opts.afterDrain?.();
  await sleep(3_000);
  const traffic = spokesTraffic(world);
  observer.close();

  const byCall = await engagementsByCall(world);
  const cdrs = new Map(world.pbx.cdrs().map((c) => [c.call_id, c]));
  const lostCalls: LostCall[] = [];
  let duplicated = 0;
  const latencies: number[] = [];
  load.callIds.forEach((callId, i) => {
    const cdr = cdrs.get(callId);
    // Engagements go by the record's uid, or by the uid and the parties' digits when another call's record had
    // the same uid (call-record.ts externalIdOf); the call id is the widget's until the record completes it.
    const created = [callId, ...(cdr ? [cdr.uid, uidKey(cdr).slice('uid:'.length)] : [])].flatMap((id) => byCall.get(id) ?? []);
    if (created.length === 0) lostCalls.push({ callId, plan: plan[i]!, cdr, observed: observer.arrivals.has(callId) });
    duplicated += Math.max(0, created.length - 1);
    const cdrAt = observer.arrivals.get(callId);
    if (created.length && cdrAt) latencies.push(Math.min(...created) - cdrAt);
  });
  const lost = lostCalls.length;
  // Calls whose record shares its uid with another call's (the emulator's uid is the start second and 5 random hex digits).
  const byUid = new Map<string, number>();
  for (const c of cdrs.values()) byUid.set(c.uid, (byUid.get(c.uid) ?? 0) + 1);
  const sharedUid = [...byUid.values()].filter((n) => n > 1).reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  const loggedCalls = load.callIds.length - lost;
  const requests = traffic.requests - before.requests;
  const count = (byStatus: Record<string, number> | undefined) => Object.values(byStatus ?? {}).reduce((a, b) => a + b, 0);
  const routes = Object.entries(traffic.byRoute)
    .map(([route, byStatus]) => [route, count(byStatus) - count(before.byRoute[route])] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  if (lost || process.env.BENCH_VERBOSE) dumpWarnings(world);
  // What Spokes holds about each lost call (on the embedded database, read once Spokes has stopped).
  const explained = lost ? await explainLost(world, lostCalls.slice(0, 10)) : [];
  for (const line of explained) process.stderr.write(`${line}\n`);

  report({
    bench,
    metric: 'calls_logged',
    value: loggedCalls,
    unit: 'calls',
    ceiling: calls,
    target: 'min',
    note:
      `${calls} calls placed in ${round(load.seconds)} s (${round(calls / load.seconds)} calls/s, generator at most ${round(load.lagMs)} ms behind); ` +
      `${logged >= calls ? 'all logged' : `${logged} logged when the budget ran out`} ${round((drainedAt - opts.startedAt) / 1000)} s after setup began; ${progress.join('; ')}`,
  });
  report({
    bench,
    metric: 'calls_lost',
    value: lost,
    unit: 'calls',
    ceiling: 0,
    target: 'max',
    note: [`${sharedUid} calls had a record whose uid another call's record had too`, ...explained.slice(0, 5)].join(' | '),
  });
  report({ bench, metric: 'calls_duplicated', value: duplicated, unit: 'engagements', ceiling: 0, target: 'max' });
  report({
    bench,
    metric: 'latency_p50',
    value: round(percentile(latencies, 50)),
    unit: 'ms',
    note: `from the PBX publishing the call record to the engagement existing in HubSpot (${latencies.length} calls measured)`,
  });
  report({ bench, metric: 'latency_p99', value: round(percentile(latencies, 99)), unit: 'ms' });
  report({
    bench,
    metric: 'hubspot_requests_per_logged_call',
    value: round(requests / Math.max(1, loggedCalls), 3),
    unit: 'requests/call',
    ceiling: 0.2,
    target: 'max',
    note: `${requests} requests of Spokes' OAuth app (ceiling 1, target 0.2): ${routes}`,
  });
  report({
    bench,
    metric: 'rate_limited_responses',
    value: traffic.rateLimited - before.rateLimited,
    unit: '429s',
    ceiling: 0,
    target: 'max',
    ...(opts.rateLimitNote ? { note: opts.rateLimitNote } : {}),
  });
}
