/**
 * `npm test`: every test file under test/, with Node's own runner.
 * Storage, job and scale-out tests also run on PostgreSQL: at TEST_DATABASE_URL
 * when it is set (CI sets it), otherwise at the local default
 * postgres://postgres@127.0.0.1:5432/test when one answers there.
 * Extra arguments are passed on (e.g. a file path to run one file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const env = { ...process.env };
// Each test file is a process of its own: Node's compile cache spares them stripping and compiling the
// same modules again (as src/main.ts does for `spokes`), and src/module-hooks.ts the re-reading of
// drizzle-orm's package.json for each of its modules (≈1.1 s of CPU per process).
env.NODE_COMPILE_CACHE ??= fileURLToPath(new URL('../node_modules/.cache/spokes/compile-cache', import.meta.url));
if (!env.TEST_DATABASE_URL && (await reachable(LOCAL_POSTGRES))) env.TEST_DATABASE_URL = LOCAL_POSTGRES;
// Every test world unpacks a 42 MB embedded database (PGlite's files) into a fresh data directory. On this
// project's 2-CPU machines that takes 3.6 s on the disk under the suite's load, and 1.6 s in memory: the tests'
// temporary directories go to a RAM-backed /dev/shm when it has room (removed afterwards, strays included).
const scratch = memoryScratch();
if (scratch) env.TMPDIR = scratch;
process.stdout.write(
  env.TEST_DATABASE_URL
    ? `PostgreSQL tests run at ${env.TEST_DATABASE_URL.replace(/:[^:@/]+@/, ':***@')}\n`
    : 'PostgreSQL tests will be reported as skipped: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them\n',
);

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    // Three files at a time on this project's 2-CPU machines: a file often waits (a PBX call ringing, a retry
    // delay, a child process starting), and a third one uses that time (the suite: 525–531 s with two, 443–454 s
    // with three). More would exhaust PostgreSQL's 100 connections. TEST_CONCURRENCY overrides it.
    `--test-concurrency=${env.TEST_CONCURRENCY ?? '3'}`,
    '--test-timeout=120000',
    '--import=./src/module-hooks.ts',
    ...flags,
    ...(files.length ? files : ['test/**/*.test.ts']),
  ],
  { stdio: 'inherit', env },
);
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(result.status ?? 1);

/** A fresh directory under /dev/shm when it is a tmpfs with 4 GB free (not when TMPDIR is set: the caller chose). */
function memoryScratch(): string | undefined {
  if (env.TMPDIR) return undefined;
  try {
    const fs = statfsSync('/dev/shm');
    const TMPFS_MAGIC = 0x01021994;
    if (fs.type !== TMPFS_MAGIC || fs.bavail * fs.bsize < 4 * 1024 ** 3) return undefined;
    return mkdtempSync(join('/dev/shm', 'spokes-tests-'));
  } catch {
    return undefined;
  }
}
