/**
 * `npm test`: every test file under test/, with Node's own runner.
 * Extra arguments are passed to `node --test` (e.g. a file path to run one file).
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const result = spawnSync(process.execPath, [
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`,
  '--test-timeout=300000',
  ...flags,
  ...(files.length ? files : ['test/**/*.test.ts']),
], { stdio: 'inherit' });
process.exit(result.status ?? 1);
