/**
 * Runs after `npm install`, and before `npm start` and `npm test` (a no-op when
 * it is current): prepares what the first start needs so that it is fast — the
 * embedded database template (initialised, migrated, job queue
 * schema installed). Failure here never fails the install; the first start
 * then does the same work itself.
 */
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

// The same compile cache as src/main.ts: loading the modules here warms it for the first start.
enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/spokes/compile-cache', import.meta.url)));
const { buildTemplate } = await import('../src/db/pglite-template.ts');
const { wrapPglite } = await import('../src/db/open.ts');
const { applyMigrations } = await import('../src/db/migrate.ts');
const { JobQueue } = await import('../src/jobs/queue.ts');
const { createLogger } = await import('../src/logger.ts');

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
// Everything a start loads, compiled once into the cache (not run).
await Promise.all([import('../src/runtime.ts'), import('../src/sandbox/sandboxes.ts')]).catch(() => {});
