/**
 * The emulators Spokes runs in sandbox mode (`npm start` with no HubSpot
 * credentials) and `spokes sandbox`: the HubSpot emulator and the Yeastar PBX
 * emulator, in process. HubSpot's state is kept in `<data dir>/sandbox/` so
 * tokens and records survive a restart; the PBX keeps its credentials there
 * and gets one extension per HubSpot sandbox owner (same e-mail, for
 * auto-binding), plus a couple that match nobody, like a real office.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { makePrivateDir } from '../db/data-dir-permissions.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startYeastarSandbox, type YeastarSandbox } from '../../sandbox/yeastar/index.ts';

export interface Sandboxes {
  hubspot: HubSpotSandbox;
  yeastar: YeastarSandbox;
  /** `GET /api/sandbox`: one key per emulator, each its own `/sandbox/info`. */
  info(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface StartSandboxesOptions {
  dataDir: string;
  host: string;
  /** First port; 0 = random ports (tests). HubSpot takes it, the PBX the next. */
  basePort: number;
  log: Logger;
  /** What to seed the HubSpot portal with on first run. */
  seed?: { contacts: number; companies: number; owners: number };
}

export async function startSandboxes(opts: StartSandboxesOptions): Promise<Sandboxes> {
  const dir = join(opts.dataDir, 'sandbox');
  // Its snapshot holds every seeded contact and the emulators' credentials: Spokes' user only.
  makePrivateDir(dir);
  const hubspot = await startHubSpotSandbox({ port: opts.basePort, host: opts.host, snapshotPath: join(dir, 'hubspot.json'), logger: quiet(opts.log, 'hubspot') });
  try {
    const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
    if (!(await hasContacts(hubspot.url, portal.privateAppToken))) {
      const summary = hubspot.seed({ portalId: portal.portalId, ...(opts.seed ?? { contacts: 200, companies: 40, owners: 6 }) });
      opts.log.info({ portalId: portal.portalId, contacts: summary.contacts, companies: summary.companies }, 'HubSpot sandbox seeded');
    }
    const owners = await listOwners(hubspot.url, portal.privateAppToken);
    const credentials = pbxCredentials(join(dir, 'yeastar.json'));
    const yeastar = await startYeastarSandbox({
      port: opts.basePort === 0 ? 0 : opts.basePort + 1, host: opts.host, ...credentials,
      extensions: [
        ...owners.map((o, i) => ({ number: String(1001 + i), name: `${o.firstName} ${o.lastName}`.trim(), email: o.email })),
        { number: '1090', name: 'Reception', email: 'reception@front-desk.example' },
        { number: '1091', name: 'Meeting room', email: '' },
      ],
      logger: quiet(opts.log, 'yeastar'),
    });
    opts.log.info({ hubspot: hubspot.url, yeastar: yeastar.url }, 'sandbox emulators listening');
    return {
      hubspot, yeastar,
      info: () => ({ hubspot: hubspot.info(), yeastar: yeastar.info() }),
      async close() {
        await yeastar.close();
        await hubspot.close();
      },
    };
  } catch (err) {
    await hubspot.close();
    throw err;
  }
}

/** The emulators log only problems: their request lines would carry the tokens in their URLs. */
function quiet(log: Logger, sandbox: string): Logger {
  const child = log.child({ sandbox });
  child.level = 'warn';
  return child;
}

/** The PBX's API credentials, generated once so Spokes' stored connection stays valid across restarts. */
function pbxCredentials(path: string): { clientId: string; clientSecret: string; webhookSecret: string } {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  const key = () => randomBytes(24).toString('base64url').slice(0, 32);
  const creds = { clientId: key(), clientSecret: key(), webhookSecret: key() };
  writeFileSync(path, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

async function hasContacts(baseUrl: string, token: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`HubSpot sandbox answered ${res.status} listing contacts`);
  return ((await res.json()) as { results: unknown[] }).results.length > 0;
}

async function listOwners(baseUrl: string, token: string): Promise<{ email: string; firstName: string; lastName: string }[]> {
  const res = await fetch(`${baseUrl}/crm/v3/owners?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`HubSpot sandbox answered ${res.status} listing owners`);
  return ((await res.json()) as { results: { email: string; firstName: string; lastName: string }[] }).results;
}
