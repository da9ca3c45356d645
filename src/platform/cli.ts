/**
 * `spokes connections list|show|enable|disable|disconnect`, `spokes audit` and `spokes users` (users-cli.ts):
 * the same lifecycle functions and audit query the admin API calls. They run
 * where the database is — in the command's own process on PostgreSQL, or, on
 * the embedded database a running server holds, inside that server (src/cli.ts
 * sends the arguments to `POST /api/status/cli`, loopback only).
 */
import { SpokesError, ValidationError } from '../errors.ts';
import * as lifecycle from '../connections/lifecycle.ts';
import { auditQuery } from '../sync/audit-routes.ts';
import type { ApiAuditEntry, ApiConnection, ApiConnectionDetail } from './wire.ts';
import type { Platform } from './platform.ts';
import { runUsersCommand, UsersUsageError } from '../web/admin/users-cli.ts';

export const PLATFORM_COMMANDS = ['connections', 'audit', 'users', 'sync'] as const;
export type PlatformCommand = (typeof PLATFORM_COMMANDS)[number];

export interface CommandResult {
  code: number;
  output: string;
}

export const CONNECTIONS_USAGE =
  'usage: spokes connections list [--connector <slug>] [--json] | show <id> [--json] | enable <id> | disable <id> | disconnect <id> [--force]';
export const AUDIT_USAGE =
  'usage: spokes audit [--connector <slug>] [--connection <id>] [--object <type>] [--outcome succeeded|failed|skipped] [--since 2h|7d|<ISO time>] [--until …] [--limit n] [--cursor c] [--json]';

export async function runPlatformCommand(platform: Platform, command: PlatformCommand, args: readonly string[], now = Date.now()): Promise<CommandResult> {
  try {
    if (command === 'users') return { code: 0, output: await runUsersCommand(platform.db, platform.publicUrl, args) };
    if (command === 'sync') return await syncStatus(platform, args);
    return command === 'connections' ? await connections(platform, args) : await audit(platform, args, now);
  } catch (err) {
    if (err instanceof UsageError || err instanceof UsersUsageError) return { code: 2, output: `spokes ${command}: ${err.message}\n` };
    if (err instanceof SpokesError && err.status < 500) return { code: 1, output: `spokes ${command}: ${err.message}\n` };
    throw err;
  }
}

class UsageError extends Error {}

export const SYNC_USAGE = 'usage: spokes sync status [<connection id>] [--json]';

/** `spokes sync status`: per connection with a declared sync, its counts, the initial pass's progress and the failing records. */
async function syncStatus(platform: Platform, args: readonly string[]): Promise<CommandResult> {
  const { positional, flags } = parseArgs(args, ['json'], []);
  const [sub, only, extra] = positional;
  if (sub !== 'status' || extra !== undefined) throw new UsageError(SYNC_USAGE);
  const rows = [];
  for (const view of await platform.connections.list()) {
    if (only && view.id !== only) continue;
    const connector = platform.connectors.get(view.connector);
    for (const def of connector?.syncs ?? []) {
      rows.push({
        connection: view.id,
        connector: view.connector,
        label: view.label,
        state: view.state,
        sync: def.name,
        ...(await platform.syncEngine.health(def, view.id)),
      });
    }
  }
  if (only && rows.length === 0) throw new UsageError(`no connection "${only}" with a sync; spokes connections list shows them`);
  if (flags.json === true) return { code: 0, output: `${JSON.stringify({ syncs: rows }, null, 2)}\n` };
  if (rows.length === 0) return { code: 0, output: 'No connection has a sync yet.\n' };
  const lines: string[] = [];
  for (const r of rows) {
    const p = r.pass;
    const pct = Math.round((p?.progress ?? 0) * 100);
    const bar = `[${'#'.repeat(Math.round(pct / 5)).padEnd(20, '.')}] ${pct}%`;
    lines.push(`${r.connection}  ${r.label}  (${r.connector} ${r.sync}, ${r.state})`);
    lines.push(`  ${p?.initialDone ? 'initial sync done' : p ? 'initial sync' : 'not started'}  ${bar}  last pass: ${p?.lastPassAt ?? 'never'}`);
    lines.push(`  in sync ${r.counts.synced}   excluded ${r.counts.excluded}   failing ${r.counts.failing}   merged e-mails ${r.merges.length}`);
    for (const f of r.failing.slice(0, 10)) lines.push(`  failing ${f.remoteId}: ${f.reason}`);
  }
  return { code: 0, output: `${lines.join('\n')}\n` };
}

async function connections(platform: Platform, args: readonly string[]): Promise<CommandResult> {
  const { positional, flags } = parseArgs(args, ['json', 'force'], ['connector']);
  const [sub, id, extra] = positional;
  const json = flags.json === true;
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"; ${CONNECTIONS_USAGE}`);
  const needId = () => {
    if (!id) throw new UsageError(`${sub} needs a connection id (spokes connections list shows them); ${CONNECTIONS_USAGE}`);
    return id;
  };
  switch (sub) {
    case 'list': {
      const list = await lifecycle.list(platform, { connector: flags.connector as string | undefined });
      return { code: 0, output: json ? `${JSON.stringify({ connections: list }, null, 2)}\n` : formatList(list) };
    }
    case 'show': {
      const detail = await lifecycle.status(platform, needId());
      return { code: 0, output: json ? `${JSON.stringify(detail, null, 2)}\n` : formatDetail(detail) };
    }
    case 'enable': {
      const c = await lifecycle.enable(platform, needId());
      return { code: 0, output: `Enabled ${c.id} (${c.connectorName}: ${c.label}); state: ${c.state}.\n` };
    }
    case 'disable': {
      const c = await lifecycle.disable(platform, needId());
      return { code: 0, output: `Disabled ${c.id} (${c.connectorName}: ${c.label}); its jobs are skipped until it is enabled again.\n` };
    }
    case 'disconnect': {
      await lifecycle.disconnect(platform, needId(), { force: flags.force === true });
      return {
        code: 0,
        output: `Disconnected ${id}: its settings, credentials, record links, checkpoints and sync errors are deleted; the audit log keeps its history.\n`,
      };
    }
    default:
      throw new UsageError(sub ? `unknown subcommand "${sub}"; ${CONNECTIONS_USAGE}` : CONNECTIONS_USAGE);
  }
}

async function audit(platform: Platform, args: readonly string[], now: number): Promise<CommandResult> {
  const { positional, flags } = parseArgs(args, ['json'], ['connector', 'connection', 'object', 'outcome', 'since', 'until', 'limit', 'cursor']);
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"; ${AUDIT_USAGE}`);
  const raw: Record<string, unknown> = {};
  for (const key of ['connector', 'connection', 'object', 'outcome', 'limit', 'cursor'] as const) if (flags[key] !== undefined) raw[key] = flags[key];
  for (const key of ['since', 'until'] as const) if (typeof flags[key] === 'string') raw[key] = toIso(flags[key] as string, now, key);
  const parsed = auditQuery.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: `--${i.path.join('.')}`, message: i.message }));
    throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  const q = parsed.data;
  const page = await platform.audit.query({ ...q, since: q.since ? new Date(q.since) : undefined, until: q.until ? new Date(q.until) : undefined });
  if (flags.json === true) return { code: 0, output: `${JSON.stringify(page, null, 2)}\n` };
  const more = page.nextCursor
    ? `\nOlder entries: spokes audit ${args.filter((a, i) => a !== '--cursor' && args[i - 1] !== '--cursor' && !a.startsWith('--cursor=')).join(' ')} --cursor ${page.nextCursor}\n`
    : '';
  return { code: 0, output: formatAudit(page.entries) + more };
}

/** `2h`, `30m`, `7d` before now, or an ISO time as it is. */
function toIso(value: string, now: number, flag: string): string {
  const m = /^(\d{1,6})([mhd])$/.exec(value);
  if (m) return new Date(now - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd']).toISOString();
  if (Number.isNaN(Date.parse(value))) throw new UsageError(`--${flag} takes a duration (30m, 2h, 7d) or an ISO time, not "${value}"`);
  return new Date(value).toISOString();
}

function parseArgs(args: readonly string[], booleans: string[], values: string[]): { positional: string[]; flags: Record<string, string | boolean> } {
  const positional: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (booleans.includes(name)) flags[name] = true;
    else if (values.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { positional, flags };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

function formatList(list: ApiConnection[]): string {
  if (!list.length) return 'No connections. Connect one in the admin UI (Overview), or POST /api/connections.\n';
  return table(
    ['ID', 'CONNECTOR', 'STATE', 'LAST ACTIVITY', 'ERRORS', 'LABEL'],
    list.map((c) => [c.id, c.connector, c.state, when(c.lastActivityAt), String(c.openErrors), c.label]),
  );
}

function formatDetail(d: ApiConnectionDetail): string {
  const lines = [
    `${d.id}  ${d.connectorName}: ${d.label}`,
    `  state:          ${d.state}${d.state !== d.choice ? ` (${d.choice} once repaired)` : ''}`,
    ...(d.reason ? [`  reason:         ${d.reason}`] : []),
    `  connected:      ${when(d.createdAt)}`,
    `  last activity:  ${when(d.lastActivityAt)}`,
    `  status:         ${d.status ? `${d.status.health}: ${d.status.summary}` : `unknown (${d.statusError ?? 'not asked'})`}`,
    `  open errors:    ${d.openErrors}`,
    ...d.syncErrors
      .slice(0, 10)
      .map(
        (e) =>
          `    ${when(e.occurredAt)}  ${e.category}  ${[e.objectType, e.recordId].filter(Boolean).join(' ') || '—'}  ${e.reason}${e.occurrences > 1 ? ` (×${e.occurrences})` : ''}`,
      ),
  ];
  return `${lines.join('\n')}\n`;
}

function formatAudit(entries: ApiAuditEntry[]): string {
  if (!entries.length) return 'No writes match.\n';
  return table(
    ['TIME', 'CONNECTOR', 'TARGET', 'OBJECT', 'OPERATION', 'OUTCOME', 'CAUSE'],
    entries.map((e) => [
      when(e.occurredAt),
      e.connector,
      e.target,
      `${e.objectType}${e.objectId ? ` ${e.objectId}` : ''}`,
      e.operation,
      e.outcome === 'failed' && e.error ? `failed: ${e.error.slice(0, 60)}` : e.outcome,
      `${e.causeType} ${e.cause}`,
    ]),
  );
}
