/**
 * Where the process that holds the embedded database serves HTTP, for the
 * commands that must ask it instead of opening the database (`spokes status`,
 * `spokes retry`): `<data dir>/server.json` with its pid and port, written once
 * it listens and removed when it stops. Without it (or when it names a process
 * that is gone) the configured port is assumed.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './db/data-dir-lock.ts';

const FILE = 'server.json';

/** Records this process's port; returns the function that removes the record. */
export function recordRunningServer(dataDir: string, port: number): () => void {
  const path = join(dataDir, FILE);
  writeFileSync(path, `${JSON.stringify({ pid: process.pid, port })}\n`);
  return () => {
    try {
      const { pid } = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
      if (pid === process.pid) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
}

/** The loopback URL of the running server of this data directory. */
export function runningServerUrl(dataDir: string, configuredPort: number): string {
  let port = configuredPort;
  try {
    const recorded = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as { pid?: number; port?: number };
    if (typeof recorded.port === 'number' && typeof recorded.pid === 'number' && isAlive(recorded.pid)) port = recorded.port;
  } catch {
    // No record: the configured port.
  }
  return `http://127.0.0.1:${port}`;
}
