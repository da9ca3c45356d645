/**
 * Runs after `npm install`: prepares what the first start needs so that it is
 * fast — the embedded database template. Failure here never fails the install;
 * Spokes then does the same work on first start.
 */
import { ensureTemplate } from '../src/db/pglite-template.ts';

try {
  await ensureTemplate();
} catch (err) {
  process.stderr.write(`spokes postinstall: could not prepare the embedded database template (${(err as Error).message}); the first start will be slower\n`);
}
