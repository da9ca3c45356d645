/**
 * The Sansan emulator at sync-benchmark scale: seeding 100,000 cards, then a client
 * in another process paging through all of them at 300 a page (the API's maximum)
 * with the rate limit off, so the figure is the emulator's own cost. Against real
 * Sansan the 10 requests/s limit alone makes the same walk take pages / 10 seconds.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { report, round } from './support.ts';

const CARDS = 100_000;
const child = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
  const { startSansanSandbox } = await import(${JSON.stringify(new URL('../sandbox/sansan/index.ts', import.meta.url).href)});
  const sb = await startSansanSandbox({ seed: false, limits: { requestsPerSecond: 0 } });
  console.log(JSON.stringify(sb.info()));
  process.on('SIGTERM', async () => { await sb.close(); process.exit(0); });
`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const info = JSON.parse(line) as { baseUrl: string; apiBaseUrl: string; apiKeys: Array<{ key: string }> };
try {
  const t0 = performance.now();
  const seeded = (await (
    await fetch(`${info.baseUrl}/sandbox/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cards: CARDS, seed: 1 }),
    })
  ).json()) as { durationMs: number };
  const seedMs = performance.now() - t0;
  const query = new URLSearchParams({
    updatedFrom: '2000-01-01T00:00:00+09:00',
    updatedTo: '2100-01-01T00:00:00+09:00',
    range: 'all',
    includePastBizCards: 'true',
    limit: '300',
  });
  let url = `${info.apiBaseUrl}/bizCards?${query}`;
  let pages = 0;
  let cards = 0;
  const t1 = performance.now();
  for (;;) {
    const body = (await (await fetch(url, { headers: { 'X-Sansan-Api-Key': info.apiKeys[0].key } })).json()) as {
      data: unknown[];
      hasMore: boolean;
      nextPageToken: string;
    };
    pages++;
    cards += body.data.length;
    if (!body.hasMore) break;
    url = `${info.apiBaseUrl}/bizCards?nextPageToken=${body.nextPageToken}`;
  }
  const pageMs = performance.now() - t1;
  const note = `${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`;
  report({
    bench: 'sansan-paging',
    metric: 'seed 100,000 cards',
    value: round(seedMs / 1000, 2),
    unit: 's',
    note: `generator ${seeded.durationMs} ms; ${note}`,
  });
  report({
    bench: 'sansan-paging',
    metric: 'page through all cards at 300/page',
    value: round(pageMs / 1000, 2),
    unit: 's',
    ceiling: round(pages / 10, 1),
    target: 'max',
    note: `${cards} cards, ${pages} pages, ${round(pageMs / pages, 1)} ms a page; ceiling = the same walk at Sansan's 10 requests/s; ${note}`,
  });
} finally {
  child.kill('SIGTERM');
}
