/**
 * The PBX connection as the telephony code reads it: the one `telephony` row of
 * the platform's `connections` table (credentials sealed there, settings
 * validated on every read, the admin's enable switch as its state) plus the
 * event stream's checkpoint (`pbx-events`: events seen until, logging since)
 * and its health (in the connection's info; an error also marks the
 * connection's problem, so the Overview shows it). Nothing else in the
 * connector reads those rows.
 */
import { z } from 'zod';
import type { ConnectionsApi, ConnectionView } from '../../connections/store.ts';
import { defineCheckpoint, type Checkpoints } from '../../sync/checkpoints.ts';
import type { PbxInfo } from './pbx.ts';
import { defaultSettings, type TelephonySettings } from './settings.ts';

/** The connector's slug: its connections, jobs and routes are named after it. */
export const TELEPHONY = 'telephony';

/**
 * Every call logged, every live event and every sync reads the connection: it is kept this long
 * (a change made by another process shows after at most this; this process's own writes at once).
 */
const CACHE_MS = 1_000;

/** What is sealed: the PBX's address and API credentials (the connection's credentials schema). */
export const pbxCredentialsSchema = z.object({
  vendor: z.enum(['yeastar']),
  baseUrl: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  webhookSecret: z.string().nullable(),
});
export type PbxCredentials = z.output<typeof pbxCredentialsSchema>;

/** The stream's checkpoint: a restart back-fills from `eventsSeenUntil`; calls before `loggingSince` are never logged (T9). */
export const PBX_EVENTS = defineCheckpoint(
  'pbx-events',
  z.object({ eventsSeenUntil: z.coerce.date().nullable().default(null), loggingSince: z.coerce.date().nullable().default(null) }),
);

/** The connection's info: what the PBX said about itself, and the stream's health as the leader last wrote it. */
const infoSchema = z.object({
  pbx: z.record(z.string(), z.unknown()).default({}),
  streamState: z.string().default('disconnected'),
  lastError: z.string().nullable().default(null),
});

export interface PbxConnectionRecord extends PbxCredentials {
  /** The platform connection's id (`telephony-…`). */
  id: string;
  info: PbxInfo;
  enabled: boolean;
  settings: TelephonySettings;
  streamState: string;
  lastError: string | null;
  eventsSeenUntil: Date | null;
  loggingSince: Date | null;
  connectedAt: Date;
}

export type PbxPatch = Partial<{
  enabled: boolean;
  settings: TelephonySettings;
  streamState: string;
  lastError: string | null;
  eventsSeenUntil: Date;
  loggingSince: Date;
}>;

export const labelOf = (c: Pick<PbxCredentials, 'vendor' | 'baseUrl'>) => `${c.vendor === 'yeastar' ? 'Yeastar' : c.vendor} at ${c.baseUrl}`;

export class PbxStore {
  readonly #connections: ConnectionsApi;
  readonly #checkpoints: Checkpoints;
  #cached: { at: number; value: Promise<PbxConnectionRecord | null> } | undefined;

  constructor(connections: ConnectionsApi, checkpoints: Checkpoints) {
    this.#connections = connections;
    this.#checkpoints = checkpoints;
  }

  get(): Promise<PbxConnectionRecord | null> {
    if (this.#cached && Date.now() - this.#cached.at < CACHE_MS) return this.#cached.value;
    const value = this.#read();
    this.#cached = { at: Date.now(), value };
    value.catch(() => {
      if (this.#cached?.value === value) this.#cached = undefined;
    });
    return value;
  }

  /** The telephony connection's row as the platform lists it, without its credentials. */
  async view(): Promise<ConnectionView | null> {
    const [view] = await this.#connections.list();
    return view ?? null;
  }

  async #read(): Promise<PbxConnectionRecord | null> {
    const view = await this.view();
    if (!view) return null;
    const connection = await this.#connections.open(view.id, { allowBrokenSettings: true });
    const credentials = connection.credentials as PbxCredentials;
    const info = infoSchema.parse(view.info ?? {});
    const checkpoint = (await this.#checkpoints.get(view.id, PBX_EVENTS).catch(() => undefined)) ?? { eventsSeenUntil: null, loggingSince: null };
    // Settings that no longer validate: the connection shows `error` naming the field, and logs nothing until saved again.
    const broken = view.settings === null;
    return {
      id: view.id,
      ...credentials,
      info: info.pbx as unknown as PbxInfo,
      enabled: !broken && view.choice === 'enabled',
      settings: broken ? defaultSettings() : (view.settings as TelephonySettings),
      streamState: info.streamState,
      lastError: broken ? view.reason : info.lastError,
      eventsSeenUntil: checkpoint.eventsSeenUntil,
      loggingSince: checkpoint.loggingSince,
      connectedAt: view.createdAt,
    };
  }

  /** The connection's id, or null when the phone system is not connected. */
  async id(): Promise<string | null> {
    return (await this.get())?.id ?? null;
  }

  /** Reconnects with new credentials: settings, the enable switch and the checkpoint are kept. */
  async replaceCredentials(id: string, credentials: PbxCredentials, info: PbxInfo): Promise<void> {
    this.#cached = undefined;
    await this.#connections.updateCredentials(id, credentials);
    await this.#connections.updateInfo(id, { pbx: info, streamState: 'connecting', lastError: null }, labelOf(credentials));
    await this.#connections.clearProblem(id);
    this.#cached = undefined;
  }

  /** What a new connection starts with (src/connections/lifecycle.ts stores it). */
  static initial(credentials: PbxCredentials, info: PbxInfo) {
    return {
      label: labelOf(credentials),
      credentials,
      settings: defaultSettings(),
      info: { pbx: info as unknown as Record<string, unknown>, streamState: 'connecting', lastError: null },
    };
  }

  async update(patch: PbxPatch): Promise<void> {
    const current = await this.get();
    if (!current) return;
    const id = current.id;
    this.#cached = undefined;
    if (patch.enabled !== undefined) await this.#connections.setChoice(id, patch.enabled ? 'enabled' : 'disabled');
    if (patch.settings) await this.#connections.updateSettings(id, patch.settings);
    if (patch.eventsSeenUntil || patch.loggingSince) {
      await this.#checkpoints.set(id, PBX_EVENTS, {
        eventsSeenUntil: patch.eventsSeenUntil ?? current.eventsSeenUntil,
        loggingSince: patch.loggingSince ?? current.loggingSince,
      });
    }
    if (patch.streamState !== undefined || patch.lastError !== undefined) {
      const view = await this.view();
      if (view) {
        const info = infoSchema.parse(view.info ?? {});
        const next = {
          ...info,
          streamState: patch.streamState ?? info.streamState,
          lastError: patch.lastError === undefined ? info.lastError : patch.lastError,
        };
        if (next.streamState !== info.streamState || next.lastError !== info.lastError) await this.#connections.updateInfo(id, next);
        // The Overview shows a broken stream as the connection's problem; a working one clears it.
        if (next.streamState === 'error' && next.lastError) await this.#connections.setProblem(id, 'error', next.lastError);
        else if (next.streamState === 'connected' && view.state === 'error' && view.settings !== null) await this.#connections.clearProblem(id);
      }
    }
    this.#cached = undefined;
  }

  /** Forgets the cached row (another part changed the connection through the platform). */
  invalidate(): void {
    this.#cached = undefined;
  }
}
