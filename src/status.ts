/**
 * What `spokes status` and `GET /api/status` report: the engine, the queues
 * (depth, in flight, failed) and the most recent dead letters with their error.
 */
import { redactDatabaseUrl, type Config } from './config.ts';
import type { JobQueue, QueueStatus, DeadLetter } from './jobs/queue.ts';
import { version } from './version.ts';

export interface StatusReport {
  version: string;
  engine: 'pglite' | 'postgres';
  database: string;
  queues: QueueStatus[];
  deadLetters: DeadLetter[];
}

export async function collectStatus(config: Config, queue: JobQueue): Promise<StatusReport> {
  return {
    version,
    engine: config.engine,
    database: config.databaseUrl ? redactDatabaseUrl(config.databaseUrl) : `${config.dataDir}/pg (embedded PGlite)`,
    queues: await queue.status(),
    deadLetters: await queue.deadLetters(10),
  };
}

export function formatStatus(s: StatusReport): string {
  const lines = [`Spokes ${s.version}`, `Database: ${s.engine === 'postgres' ? 'PostgreSQL' : 'PGlite'} — ${s.database}`, '', 'Queues:'];
  const width = Math.max(24, ...s.queues.map((q) => q.name.length + 2));
  lines.push(`  ${'QUEUE'.padEnd(width)}${'QUEUED'.padStart(8)}${'ACTIVE'.padStart(8)}${'FAILED'.padStart(8)}`);
  for (const q of s.queues) lines.push(`  ${q.name.padEnd(width)}${String(q.queued).padStart(8)}${String(q.active).padStart(8)}${String(q.failed).padStart(8)}`);
  lines.push('', s.deadLetters.length ? `Dead letters (most recent ${s.deadLetters.length}):` : 'Dead letters: none');
  for (const d of s.deadLetters) {
    const when = d.failedAt ?? "?";
    lines.push(`  ${when}  ${d.queue}  ${d.id}  after ${d.attempts} attempt(s): ${d.error}`);
  }
  if (s.deadLetters.length) lines.push('', 'Retry them with `spokes retry [<queue>] [--id <job id>]...` once the cause is fixed.');
  return lines.join('\n');
}
