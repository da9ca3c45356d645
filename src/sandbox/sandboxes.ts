/**
 * The emulators Spokes runs in sandbox mode (`npm start` with no HubSpot
 * credentials) and `spokes sandbox`: the HubSpot emulator, in process, with its
 * state kept in `<data dir>/sandbox/` so tokens and records survive a restart.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';

export interface Sandboxes {
  hubspot: HubSpotSandbox;
  /** `GET /api/sandbox`: one key per emulator, each its own `/sandbox/info`. */
  info(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface StartSandboxesOptions {
  dataDir: string;
  host: string;
  /** First port; 0 = random ports (tests). The HubSpot emulator takes this one. */
  basePort: number;
  log: Logger;
}

export async function startSandboxes(opts: StartSandboxesOptions): Promise<Sandboxes> {
  const dir = join(opts.dataDir, 'sandbox');
  mkdirSync(dir, { recursive: true });
  const hubspot = await startHubSpotSandbox({
    port: opts.basePort,
    host: opts.host,
    snapshotPath: join(dir, 'hubspot.json'),
    logger: opts.log.child({ sandbox: 'hubspot' }),
  });
  opts.log.info({ url: hubspot.url }, 'HubSpot sandbox listening');
  return {
    hubspot,
    info: () => ({ hubspot: hubspot.info() }),
    async close() {
      await hubspot.close();
    },
  };
}
