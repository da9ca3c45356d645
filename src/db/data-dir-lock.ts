/**
 * An exclusive lock on the data directory for the embedded database: PGlite
 * holds its files in one process, so a second `spokes` process on the same
 * directory is refused with a clear message instead of corrupting them.
 */
import { openSync, closeSync, readFileSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SpokesError } from '../errors.ts';

export interface DataDirLock {
  release(): void;
}

/** Lock files this process holds: a second open in the same process is refused too. */
const heldHere = new Set<string>();

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'pg.lock');
  if (heldHere.has(path)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) throw inUse(dataDir, holder);
      // The holder died without cleaning up: the lock is stale.
      try {
        unlinkSync(path);
      } catch {
        /* raced with another cleaner */
      }
    }
  }
  throw new SpokesError('conflict', `could not lock ${path}`, { status: 409 });
}

function inUse(dataDir: string, pid: number): SpokesError {
  return new SpokesError(
    'conflict',
    `the embedded database in ${dataDir} is in use by process ${pid}. ` + 'Stop it first, or run several processes on PostgreSQL (set DATABASE_URL).',
    { status: 409 },
  );
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
