/**
 * What `spokes status` and `GET /api/status` report: the server's address, the
 * health of each connection (HubSpot, then each connector's: the phone
 * system…), the engine, the queues (depth, in flight, failed) and the most
 * recent dead letters with their error.
 */
import { redactDatabaseUrl } from './config.ts';
import type { QueueStatus, DeadLetter } from './jobs/queue.ts';
import type { Services } from './services.ts';
import type { Platform } from './platform/platform.ts';
import { status as connectionStatus } from './connections/lifecycle.ts';

/** One connection as `spokes status` shows it. */
export interface ConnectionHealth {
  name: string;
  /** HubSpot: connected, not connected, needs re-authorization; a connector's connection: its state (issue 11's names), or not connected. */
  state: string;
  /** False when it needs attention (calls or records do not flow). */
  ok: boolean;
  detail?: string;
}
import { version } from './version.ts';

export interface StatusReport {
  version: string;
  /** Where users reach Spokes, and whether a server answered there when the report was made. */
  server: { url: string; answering: boolean };
  connections: ConnectionHealth[];
  engine: 'pglite' | 'postgres';
  database: string;
  queues: QueueStatus[];
  deadLetters: DeadLetter[];
}

/** `answering`: known by the caller (the server itself), or probed at `probeUrl` (the CLI with the database in hand). */
export async function collectStatus(
  services: Pick<Services, 'config' | 'queue' | 'hubspot'> & Partial<Services>,
  server: { answering: boolean } | { probeUrl: string },
): Promise<StatusReport> {
  const { config, queue } = services;
  const answering =
    'answering' in server
      ? server.answering
      : await fetch(`${server.probeUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.status < 500,
          () => false,
        );
  return {
    version,
    // The public URL (with SPOKES_PORT=0, the port it got once bound).
    server: { url: services.hubspot.publicUrl, answering },
    connections: [await hubspotHealth(services.hubspot), ...(services.platform ? await connectorHealth(services.platform) : [])],
    engine: config.engine,
    database: config.databaseUrl ? redactDatabaseUrl(config.databaseUrl) : `${config.dataDir}/pg (embedded PGlite)`,
    queues: await queue.status(),
    deadLetters: await queue.deadLetters(10),
  };
}

/** Each connector's connections, as its `status` reports them (read from the database: any process may ask). */
async function connectorHealth(platform: Platform): Promise<ConnectionHealth[]> {
  const out: ConnectionHealth[] = [];
  for (const connector of platform.connectors.values()) {
    const { name } = connector.manifest;
    const views = await platform.connections.list({ connector: connector.manifest.slug });
    if (!views.length) out.push({ name, state: 'not connected', ok: true, detail: `connect it on the admin's ${name} page` });
    for (const view of views) {
      const detail = await connectionStatus(platform, view.id);
      const report = detail.status;
      // One vocabulary for every connector (issue 11: connected, enabled, disabled, needs_reauthorization,
      // error); a connector's own finer state (the phone system's event stream) goes into the detail.
      const own = typeof report?.details?.state === 'string' && report.details.state !== detail.state ? report.details.state : undefined;
      const text = [report?.summary ?? detail.statusError ?? detail.reason ?? undefined, own && `(${own})`].filter(Boolean).join(' ');
      out.push({ name, state: detail.state, ok: report?.health === 'ok', detail: text || undefined });
    }
  }
  return out;
}

async function hubspotHealth(hubspot: Services['hubspot']): Promise<ConnectionHealth> {
  const c = await hubspot.store.connection();
  if (!c) return { name: 'HubSpot', state: 'not connected', ok: false, detail: "connect it on the admin's HubSpot page" };
  const how = c.kind === 'oauth' ? 'OAuth' : 'private-app token';
  if (c.status === 'needs_reauthorization') {
    return {
      name: 'HubSpot',
      state: 'needs re-authorization',
      ok: false,
      detail: `${c.accountName} (portal ${c.portalId}): reconnect on the admin's HubSpot page${c.lastError ? `; ${c.lastError}` : ''}`,
    };
  }
  return { name: 'HubSpot', state: 'connected', ok: true, detail: `${c.accountName} (portal ${c.portalId}, ${how})` };
}

export function formatStatus(s: StatusReport): string {
  const lines = [
    `Spokes ${s.version}`,
    `Server: ${s.server.url} (${s.server.answering ? 'answering' : 'not answering'})`,
    `Database: ${s.engine === 'postgres' ? 'PostgreSQL' : 'PGlite'} — ${s.database}`,
    '',
    'Connections:',
  ];
  const nameWidth = Math.max(14, ...s.connections.map((c) => c.name.length + 2));
  for (const c of s.connections) lines.push(`  ${c.name.padEnd(nameWidth)}${c.ok ? '' : '! '}${c.state}${c.detail ? ` — ${c.detail}` : ''}`);
  lines.push('', 'Queues:');
  const width = Math.max(24, ...s.queues.map((q) => q.name.length + 2));
  lines.push(`  ${'QUEUE'.padEnd(width)}${'QUEUED'.padStart(8)}${'ACTIVE'.padStart(8)}${'FAILED'.padStart(8)}`);
  for (const q of s.queues)
    lines.push(`  ${q.name.padEnd(width)}${String(q.queued).padStart(8)}${String(q.active).padStart(8)}${String(q.failed).padStart(8)}`);
  lines.push('', s.deadLetters.length ? `Dead letters (most recent ${s.deadLetters.length}):` : 'Dead letters: none');
  for (const d of s.deadLetters) {
    const when = d.failedAt ?? '?';
    lines.push(`  ${when}  ${d.queue}  ${d.id}  after ${d.attempts} attempt(s): ${d.error}`);
  }
  if (s.deadLetters.length) lines.push('', 'Retry them with `spokes retry [<queue>] [--id <job id>]...` once the cause is fixed.');
  return lines.join('\n');
}
