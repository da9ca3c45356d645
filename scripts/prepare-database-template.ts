/**
 * Runs after `npm install`, and before `npm start` and `npm test` (a no-op when
 * it is current): prepares what the first start needs so that it is fast — the
 * embedded database template (initialised, migrated, job queue
 * schema installed). Failure here never fails the install; the first start
 * then does the same work itself.
 */
import { buildTemplate } from '../src/db/pglite-template.ts';
import { wrapPglite } from '../src/db/open.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { createLogger } from '../src/logger.ts';

try {
  await buildTemplate(async (client) => {
    const database = wrapPglite(client);
    await applyMigrations(database);
    // The queue schema only; each start creates or updates the queues of its job types.
    const queue = new JobQueue({ database, jobs: [], log: createLogger({ level: 'silent' }) });
    await queue.start();
    await queue.stop({ timeoutMs: 1_000 });
  });
} catch (err) {
  process.stderr.write(`spokes: could not prepare the embedded database template (${(err as Error).message}); the first start will be slower\n`);
}
