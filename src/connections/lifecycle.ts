/**
 * The connection lifecycle as plain functions — connect, enable, disable,
 * disconnect, status, reauthorize — that the admin API, the CLI and tests all
 * call. Each validates first (a bad field is a 400 naming it, nothing stored),
 * lets the connector talk to its remote system (its hook), then records the
 * outcome; job gates are re-read at once, so paused jobs resume (or pause)
 * without waiting for the next periodic check.
 */
import type { z } from 'zod';
import { ConflictError, ValidationError } from '../errors.ts';
import type { Platform } from '../platform/platform.ts';
import type { ApiConnection, ApiConnectionDetail } from '../platform/wire.ts';
import type { AnyConnector, ConnectResult, ConnectorStatus } from '../platform/connector.ts';
import type { OAuthTokenSet } from '../oauth/provider.ts';
import type { ConnectionView } from './store.ts';

/** Where the input came from, for the field names of a 400 (`body.input.baseUrl`, or `baseUrl` for the CLI). */
export interface CallOptions {
  fieldPrefix?: string;
  /**
   * The connector names its input's fields `input.<field>` in the errors of its `connect`; a caller
   * whose form is the input itself (not wrapped in `{input}`) has them named under this prefix instead.
   */
  inputFieldsAs?: string;
}

export async function connect(platform: Platform, slug: string, rawInput: unknown, opts: CallOptions = {}): Promise<ApiConnection> {
  const connector = platform.connector(slug);
  const input = parse(connector.connectInput, rawInput, opts.fieldPrefix);
  return store(platform, connector, input, opts);
}

/**
 * The connector's `connect` check alone — the input validated, the remote asked — storing nothing:
 * for a connector that replaces an existing connection's credentials (a PBX's new secret).
 */
export async function checkConnection(platform: Platform, slug: string, rawInput: unknown, opts: CallOptions = {}): Promise<ConnectResult<unknown, unknown>> {
  const connector = platform.connector(slug);
  const input = parse(connector.connectInput, rawInput, opts.fieldPrefix);
  return renamingFields(opts, () => connector.lifecycle.connect(platform.context(slug), input));
}

/** A connector names the fields of its input `input.<field>`; a caller may see them under its own prefix (`body.baseUrl`). */
async function renamingFields<T>(opts: CallOptions, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const prefix = opts.inputFieldsAs;
    if (!(err instanceof ValidationError) || !prefix || prefix === 'input' || !err.details) throw err;
    const details = err.details.map((d) => ({ ...d, field: !d.field || d.field === 'input' ? prefix : d.field.replace(/^input\./, `${prefix}.`) }));
    throw new ValidationError(err.message, details);
  }
}

/** The OAuth callback's tokens become a new connection (the connector reads who they belong to). */
export async function connectWithOAuth(platform: Platform, slug: string, tokens: OAuthTokenSet): Promise<ApiConnection> {
  return connect(platform, slug, { oauth: tokens }, { fieldPrefix: 'oauth' });
}

async function store(platform: Platform, connector: AnyConnector, input: unknown, opts: CallOptions = {}): Promise<ApiConnection> {
  const slug = connector.manifest.slug;
  if (connector.manifest.connections === 'one' && (await platform.connections.list({ connector: slug })).length > 0) {
    // Checked before the remote is called; the database's unique index still decides a race.
    throw new ConflictError(`${connector.manifest.name} allows one connection and already has one: disconnect it first.`);
  }
  const result = await renamingFields(opts, () => connector.lifecycle.connect(platform.context(slug), input));
  const view = await platform.connections.insert({
    connector: slug,
    label: result.label,
    credentials: result.credentials,
    info: result.info,
    settings: result.settings ?? connector.settings.parse({}),
  });
  platform.context(slug).log.info({ connectionId: view.id }, 'connection connected');
  return present(platform, view);
}

/**
 * The OAuth callback of a re-authorization: the connector checks the new tokens at the remote (its
 * `connect`), then they replace the old ones — other credentials it keeps are kept — and the
 * connection's problem is cleared, so its jobs run again.
 */
export async function reauthorize(platform: Platform, connectionId: string, tokens: OAuthTokenSet): Promise<ApiConnection> {
  const connection = await platform.connections.open(connectionId, { allowBrokenSettings: true });
  const connector = platform.connector(connection.connector);
  const input = parse(connector.connectInput, { oauth: tokens }, 'oauth');
  const result = await connector.lifecycle.connect(platform.context(connection.connector), input);
  await platform.connections.updateCredentials(connectionId, { ...(connection.credentials as object), ...(result.credentials as object), oauth: tokens });
  await platform.connections.updateInfo(connectionId, { ...connection.info, ...result.info }, result.label);
  await platform.connections.clearProblem(connectionId);
  await platform.refreshGates();
  return present(platform, await platform.connections.require(connectionId));
}

export async function enable(platform: Platform, id: string): Promise<ApiConnection> {
  const view = await platform.connections.require(id);
  const connector = platform.connector(view.connector);
  if (view.choice !== 'enabled') {
    const connection = await platform.connections.open(id);
    await connector.lifecycle.enable?.(platform.context(view.connector), connection);
    await platform.connections.setChoice(id, 'enabled');
    await platform.refreshGates();
  }
  return present(platform, await platform.connections.require(id));
}

export async function disable(platform: Platform, id: string): Promise<ApiConnection> {
  const view = await platform.connections.require(id);
  const connector = platform.connector(view.connector);
  if (view.choice === 'enabled') {
    const connection = await platform.connections.open(id, { allowBrokenSettings: true });
    if (connection.settings !== null) await connector.lifecycle.disable?.(platform.context(view.connector), connection);
    await platform.connections.setChoice(id, 'disabled');
    await platform.refreshGates();
  }
  return present(platform, await platform.connections.require(id));
}

/**
 * Lets the connector clean up at its remote, then deletes the connection with its record links,
 * checkpoints and sync errors (the audit log keeps its history). A remote that cannot be reached
 * keeps the connection, unless `force`: then the clean-up is skipped and the removal is logged.
 */
export async function disconnect(platform: Platform, id: string, opts: { force?: boolean } = {}): Promise<{ disconnected: string }> {
  const view = await platform.connections.require(id);
  const ctx = platform.context(view.connector);
  const connector = platform.connectors.get(view.connector);
  if (connector) {
    const connection = await platform.connections.open(id, { allowBrokenSettings: true });
    try {
      await connector.lifecycle.disconnect(ctx, connection);
    } catch (err) {
      if (!opts.force) throw err;
      ctx.log.warn({ connectionId: id, err: (err as Error).message }, 'disconnect: the remote clean-up failed; removed anyway (force)');
    }
  }
  await platform.connections.delete(id);
  await platform.refreshGates();
  ctx.log.info({ connectionId: id }, 'connection disconnected');
  return { disconnected: id };
}

/** The connection with the connector's own report and its open sync errors. */
export async function status(platform: Platform, id: string): Promise<ApiConnectionDetail> {
  const view = await platform.connections.require(id);
  const connector = platform.connectors.get(view.connector);
  let report: ConnectorStatus | null = null;
  let statusError: string | null = null;
  if (!connector) statusError = view.reason;
  else if (view.settings === null) statusError = view.reason;
  else {
    try {
      report = await connector.lifecycle.status(platform.context(view.connector), await platform.connections.open(id));
    } catch (err) {
      statusError = (err as Error).message;
    }
  }
  const errors = await platform.syncErrors.listOpen({ connectionId: id, limit: 50 });
  return {
    ...(await present(platform, view)),
    status: report,
    statusError,
    syncErrors: errors.map((e) => ({
      id: e.id,
      category: e.category,
      objectType: e.objectType,
      recordId: e.recordId,
      reason: e.reason,
      occurrences: e.occurrences,
      occurredAt: e.occurredAt.toISOString(),
      retryable: e.retry !== null,
    })),
  };
}

export async function list(platform: Platform, filter: { connector?: string } = {}): Promise<ApiConnection[]> {
  const [views, counts] = await Promise.all([platform.connections.list(filter), platform.syncErrors.countOpen()]);
  return views.map((v) => toApi(platform, v, counts.get(v.id) ?? 0));
}

async function present(platform: Platform, view: ConnectionView): Promise<ApiConnection> {
  return toApi(platform, view, (await platform.syncErrors.countOpen()).get(view.id) ?? 0);
}

export function toApi(platform: Platform, v: ConnectionView, openErrors: number): ApiConnection {
  return {
    id: v.id,
    connector: v.connector,
    connectorName: platform.connectors.get(v.connector)?.manifest.name ?? v.connector,
    label: v.label,
    state: v.state,
    choice: v.choice,
    reason: v.reason,
    settings: v.settings,
    settingsProblems: v.settingsProblems,
    info: v.info,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    lastActivityAt: v.lastActivityAt?.toISOString() ?? null,
    openErrors,
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix = 'input'): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || prefix, message: i.message }));
    throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  return parsed.data;
}
