/**
 * Builds the browser apps (`ui/` → `ui/dist/`) when their sources changed.
 * `npm start`, `npm test` and `npm run build` run it first, so a fresh clone
 * serves the current UI and tests never test a stale one. "Changed" is a hash
 * of every source file under ui/ and the Vite/React versions, kept in
 * `ui/dist/.build-stamp`: unlike mtimes it survives `git checkout` and copies.
 *
 *   node scripts/build-ui.ts           build if stale
 *   node scripts/build-ui.ts --force   build anyway
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const UI = fileURLToPath(new URL('../ui/', import.meta.url));
const DIST = join(UI, 'dist');
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(UI, '.build.lock');
const TOOL_VERSIONS = ['vite', 'react', 'react-dom', '@vitejs/plugin-react'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return path === DIST || d.name === 'node_modules' ? [] : sourceFiles(path);
    return d.name.startsWith('.') ? [] : [path];
  });
}

export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(UI).sort()) hash.update(relative(UI, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const name of TOOL_VERSIONS) {
    const pkg = fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url));
    hash.update(existsSync(pkg) ? String((JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version) : 'missing');
  }
  return hash.digest('hex');
}

function isFresh(hash: string): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build at a time: parallel test files may all ask at once. A lock left by a dead process is taken over. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      writeFileSync(LOCK, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(LOCK, 'utf8').trim());
      if (holder && !alive(holder)) rmSync(LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`${LOCK} is held by process ${holder} for over 3 minutes`);
      else await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

export async function buildUiIfStale(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<'built' | 'fresh'> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!opts.force && isFresh(sourceHash())) return 'fresh';
  return withLock(async () => {
    // Someone else may have built while we waited for the lock.
    const hash = sourceHash();
    if (!opts.force && isFresh(hash)) return 'fresh';
    const started = Date.now();
    log('Building the browser apps (ui/ → ui/dist/)…');
    const { build } = await import('vite');
    await build({ configFile: join(UI, 'vite.config.ts'), logLevel: 'warn' });
    mkdirSync(DIST, { recursive: true });
    writeFileSync(STAMP, `${hash}\n`);
    log(`Built the browser apps in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 'built';
  });
}

if (import.meta.main) {
  try {
    await buildUiIfStale({ force: process.argv.includes('--force') });
  } catch (err) {
    process.stderr.write(`build-ui: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
