/**
 * `npm test`: every test file under test/, with Node's own runner.
 * Storage, job and scale-out tests also run on PostgreSQL: at TEST_DATABASE_URL
 * when it is set (CI sets it), otherwise at the local default
 * postgres://postgres@127.0.0.1:5432/test when one answers there.
 * Extra arguments are passed on (e.g. a file path to run one file).
 */
import { spawnSync } from 'node:child_process';
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
if (!env.TEST_DATABASE_URL && (await reachable(LOCAL_POSTGRES))) env.TEST_DATABASE_URL = LOCAL_POSTGRES;
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
    `--test-concurrency=${env.TEST_CONCURRENCY ?? '2'}`,
    '--test-timeout=120000',
    ...flags,
    ...(files.length ? files : ['test/**/*.test.ts']),
  ],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
