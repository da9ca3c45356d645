/**
 * A separate Spokes process using the HubSpot connection stored in a shared
 * PostgreSQL — the way each `spokes worker` does — driven by the multi-process
 * tests: `refresh` fires 20 concurrent token requests at once when told
 * (stdin "go"), `hammer` writes contacts as fast as the shared budget allows
 * for DURATION_MS. Prints one JSON line with what it did.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createLogger } from '../../src/logger.ts';
import { createSecretBox, loadSecretKey } from '../../src/secrets/secret-key.ts';
import { createHubSpot } from '../../src/hubspot/index.ts';
import { RemoteRateLimitedError } from '../../src/errors.ts';

const config = loadConfig();
const log = createLogger({ level: 'warn' });
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const secretBox = createSecretBox(loadSecretKey(config).key);
const { hubspot, close } = await createHubSpot({ config, database, secretBox, log, baseUrl: config.hubspotBaseUrl!, sandbox: false, queue: () => undefined });
const mode = process.env.MODE;

if (mode === 'refresh') {
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  rl.close();
  const tokens = await Promise.all(Array.from({ length: 20 }, () => hubspot.tokens.accessToken().then((t) => t.accessToken)));
  process.stdout.write(`${JSON.stringify({ distinctTokens: new Set(tokens).size, token: tokens[0], refreshes: hubspot.tokens.refreshCount })}\n`);
} else if (mode === 'hammer') {
  const until = Date.now() + Number(process.env.DURATION_MS ?? 30_000);
  const tag = process.env.TAG ?? String(process.pid);
  let written = 0;
  let rateLimited = 0;
  let n = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (Date.now() < until) {
        const inputs = Array.from({ length: 10 }, () => ({ properties: { email: `hammer-${tag}-${n++}@example.com`, firstname: 'Hammer' }, associations: [] }));
        // A write that meets a 429 is retried until it lands: none may be lost.
        for (;;) {
          try {
            await hubspot.api.call('hammer batch create', (c) => c.crm.contacts.batchApi.create({ inputs }));
            written += inputs.length;
            break;
          } catch (err) {
            if (!(err instanceof RemoteRateLimitedError)) throw err;
            rateLimited++;
            await new Promise((r) => setTimeout(r, err.retryAfterMs));
          }
        }
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ written, rateLimited })}\n`);
}
await close();
await database.close();
process.exit(0);
