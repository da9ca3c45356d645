/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those whose name
 * contains an argument) and prints their JSON lines.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filters.length || filters.some((x) => f.includes(x))))
  .sort();
let failed = 0;
for (const file of files) {
  const r = spawnSync(process.execPath, [`${dir}${file}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench ${file} failed (exit ${r.status})\n`);
  }
}
process.exit(failed ? 1 : 0);
