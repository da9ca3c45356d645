/**
 * The emulators Spokes runs in sandbox mode (`npm start` with no HubSpot
 * credentials) and `spokes sandbox`, in one registry keyed by system: each
 * `sandbox/<system>/index.ts` exports one start function and its
 * `/sandbox/info`, and a new emulator is one line in `systems` below. They
 * start in registry order, each on the next port (HubSpot on the first), and
 * a later one may use an earlier one (the PBX gets one extension per HubSpot
 * owner). State is kept in `<data dir>/sandbox/`, so tokens and records
 * survive a restart.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { makePrivateDir } from '../db/data-dir-permissions.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import { startYeastarSandbox, type YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { startSansanSandbox, type SansanSandbox } from '../../sandbox/sansan/index.ts';
import { startCalcomSandbox, startImmedioSandbox, type CalcomSandbox, type ImmedioSandbox, type HostSeed } from '../../sandbox/booking/index.ts';

/** What every emulator offers the registry. */
interface Emulator {
  info(): unknown;
  close(): Promise<void>;
}

interface StartContext {
  /** `<data dir>/sandbox`: where an emulator keeps its state. */
  dir: string;
  host: string;
  /** This emulator's port (0: a random one). */
  port: number;
  log: Logger;
  seed?: { contacts: number; companies: number; owners: number };
  /** The emulators started before this one. */
  started: Partial<Record<string, Emulator>>;
}

/** The registry: system → how to start its emulator for Spokes. Order matters (ports, dependencies). */
const systems = {
  hubspot: { start: startHubSpot },
  yeastar: { start: startYeastar },
  sansan: {
    start: (ctx: StartContext): Promise<SansanSandbox> =>
      startSansanSandbox({ port: ctx.port, host: ctx.host, snapshotPath: join(ctx.dir, 'sansan.json'), logger: ctx.log }),
  },
  calcom: { start: startCalcom },
  immedio: { start: startImmedio },
} satisfies Record<string, { start(ctx: StartContext): Promise<Emulator> }>;

export type SandboxSystem = keyof typeof systems;

export type Sandboxes = { [K in SandboxSystem]: Awaited<ReturnType<(typeof systems)[K]['start']>> } & {
  /** `GET /api/sandbox`: one key per emulator, each its own `/sandbox/info`. */
  info(): Record<SandboxSystem, unknown>;
  /** A seeded contact with a phone number (the lowest id: the same one on every machine), for the sample call. */
  sampleContact(): Promise<SampleContact | null>;
  close(): Promise<void>;
};

export interface SampleContact {
  id: string;
  name: string;
  /** E.164. */
  phone: string;
  /** Its record page in the HubSpot emulator, where its calls appear. */
  url: string;
}

export interface StartSandboxesOptions {
  dataDir: string;
  host: string;
  /** First port; 0 = random ports (tests). Each system takes the next, in registry order. */
  basePort: number;
  log: Logger;
  /** What to seed the HubSpot portal with on first run. */
  seed?: { contacts: number; companies: number; owners: number };
}

export async function startSandboxes(opts: StartSandboxesOptions): Promise<Sandboxes> {
  const dir = join(opts.dataDir, 'sandbox');
  // Its snapshot holds every seeded contact and the emulators' credentials: Spokes' user only.
  makePrivateDir(dir);
  const started: Partial<Record<string, Emulator>> = {};
  const names = Object.keys(systems) as SandboxSystem[];
  try {
    for (const [i, name] of names.entries()) {
      const port = opts.basePort === 0 ? 0 : opts.basePort + i;
      started[name] = await systems[name].start({ dir, host: opts.host, port, log: quiet(opts.log, name), seed: opts.seed, started });
    }
  } catch (err) {
    for (const name of names.reverse()) await started[name]?.close().catch(() => {});
    throw err;
  }
  opts.log.info(Object.fromEntries(names.map((n) => [n, (started[n]!.info() as { baseUrl?: string }).baseUrl])), 'sandbox emulators listening');
  return {
    ...(started as Record<SandboxSystem, Emulator>),
    info: () => Object.fromEntries(names.map((n) => [n, started[n]!.info()])) as Record<SandboxSystem, unknown>,
    sampleContact() {
      const hubspot = started.hubspot as HubSpotSandbox;
      const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
      return sampleContact(hubspot.url, portal.portalId, portal.privateAppToken).catch(() => null);
    },
    async close() {
      for (const name of [...names].reverse()) await started[name]!.close();
    },
  } as Sandboxes;
}

async function startHubSpot(ctx: StartContext): Promise<HubSpotSandbox> {
  const hubspot = await startHubSpotSandbox({ port: ctx.port, host: ctx.host, snapshotPath: join(ctx.dir, 'hubspot.json'), logger: ctx.log });
  try {
    const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
    if (!(await hasContacts(hubspot.url, portal.privateAppToken))) {
      const summary = hubspot.seed({ portalId: portal.portalId, ...(ctx.seed ?? { contacts: 200, companies: 40, owners: 6 }) });
      ctx.log.info({ portalId: portal.portalId, contacts: summary.contacts, companies: summary.companies }, 'HubSpot sandbox seeded');
    }
    return hubspot;
  } catch (err) {
    await hubspot.close();
    throw err;
  }
}

/** One extension per HubSpot sandbox owner (same e-mail, for auto-binding), plus a couple that match nobody, like a real office. */
async function startYeastar(ctx: StartContext): Promise<YeastarSandbox> {
  const hubspot = ctx.started.hubspot as HubSpotSandbox;
  const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
  const owners = await listOwners(hubspot.url, portal.privateAppToken);
  return startYeastarSandbox({
    port: ctx.port,
    host: ctx.host,
    ...pbxCredentials(join(ctx.dir, 'yeastar.json')),
    extensions: [
      ...owners.map((o, i) => ({ number: String(1001 + i), name: `${o.firstName} ${o.lastName}`.trim(), email: o.email })),
      { number: '1090', name: 'Reception', email: 'reception@front-desk.example' },
      { number: '1091', name: 'Meeting room', email: '' },
    ],
    logger: ctx.log,
  });
}

/** The booking emulators' organizers are the HubSpot sandbox's owners (same e-mail), so every booking has an owner. */
async function bookingHosts(ctx: StartContext): Promise<HostSeed[]> {
  const hubspot = ctx.started.hubspot as HubSpotSandbox;
  const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
  const owners = await listOwners(hubspot.url, portal.privateAppToken);
  return owners.slice(0, 4).map((o) => ({ name: `${o.firstName} ${o.lastName}`.trim() || o.email, email: o.email }));
}

async function startCalcom(ctx: StartContext): Promise<CalcomSandbox> {
  return startCalcomSandbox({ port: ctx.port, host: ctx.host, hosts: await bookingHosts(ctx), logger: ctx.log });
}

async function startImmedio(ctx: StartContext): Promise<ImmedioSandbox> {
  return startImmedioSandbox({ port: ctx.port, host: ctx.host, hosts: await bookingHosts(ctx), logger: ctx.log });
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

async function sampleContact(baseUrl: string, portalId: number, token: string): Promise<SampleContact | null> {
  const res = await fetch(`${baseUrl}/crm/v3/objects/contacts/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      filterGroups: [{ filters: [{ propertyName: 'hs_calculated_phone_number', operator: 'HAS_PROPERTY' }] }],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: ['firstname', 'lastname', 'hs_calculated_phone_number'],
      limit: 1,
    }),
  });
  if (!res.ok) return null;
  const [c] = ((await res.json()) as { results: { id: string; properties: Record<string, string | null> }[] }).results;
  if (!c?.properties.hs_calculated_phone_number) return null;
  return {
    id: c.id,
    name: [c.properties.firstname, c.properties.lastname].filter(Boolean).join(' ') || `Contact ${c.id}`,
    phone: c.properties.hs_calculated_phone_number,
    url: `${baseUrl}/contacts/${portalId}/record/0-1/${c.id}`,
  };
}
