/**
 * Reads and writes the PBX connection row, sealing the PBX secrets with the
 * installation key. Nothing else in the connector touches `pbx_connection`.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/open.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import type { PbxInfo } from './pbx.ts';
import { pbxConnection } from './schema.ts';
import { defaultSettings, settingsSchema, type TelephonySettings } from './settings.ts';

const ROW = 'default';
/**
 * Every call logged, every live event and every sync reads the connection: it is kept this long
 * (a change made by another process shows after at most this; this process's own writes at once).
 */
const CACHE_MS = 1_000;

export interface PbxCredentials {
  vendor: 'yeastar';
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string | null;
}

export interface PbxConnectionRecord extends PbxCredentials {
  info: PbxInfo;
  enabled: boolean;
  settings: TelephonySettings;
  streamState: string;
  lastError: string | null;
  eventsSeenUntil: Date | null;
  loggingSince: Date | null;
  connectedAt: Date;
}

export class PbxStore {
  readonly #db: Db;
  readonly #box: SecretBox;
  #cached: { at: number; value: Promise<PbxConnectionRecord | null> } | undefined;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
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

  async #read(): Promise<PbxConnectionRecord | null> {
    const [row] = await this.#db.select().from(pbxConnection).where(eq(pbxConnection.id, ROW));
    if (!row) return null;
    return {
      vendor: row.vendor as 'yeastar',
      baseUrl: row.baseUrl,
      clientId: row.clientId,
      clientSecret: this.#box.decrypt(row.clientSecretSealed, 'pbx:client_secret'),
      webhookSecret: row.webhookSecretSealed ? this.#box.decrypt(row.webhookSecretSealed, 'pbx:webhook_secret') : null,
      info: row.pbxInfo as unknown as PbxInfo,
      enabled: row.enabled,
      // Settings written by an older version gain the new defaults.
      settings: settingsSchema.parse(row.settings ?? {}),
      streamState: row.streamState,
      lastError: row.lastError,
      eventsSeenUntil: row.eventsSeenUntil,
      loggingSince: row.loggingSince,
      connectedAt: row.connectedAt,
    };
  }

  /** Connects (or reconnects with new credentials): settings and the enable switch are kept on a reconnect. */
  async save(credentials: PbxCredentials, info: PbxInfo): Promise<void> {
    const current = await this.get();
    const values = {
      id: ROW,
      vendor: credentials.vendor,
      baseUrl: credentials.baseUrl,
      clientId: credentials.clientId,
      clientSecretSealed: this.#box.encrypt(credentials.clientSecret, 'pbx:client_secret'),
      webhookSecretSealed: credentials.webhookSecret ? this.#box.encrypt(credentials.webhookSecret, 'pbx:webhook_secret') : null,
      pbxInfo: info as unknown as Record<string, unknown>,
      enabled: current?.enabled ?? false,
      settings: (current?.settings ?? defaultSettings()) as unknown as Record<string, unknown>,
      streamState: 'connecting',
      lastError: null,
      updatedAt: new Date(),
    };
    this.#cached = undefined;
    await this.#db.insert(pbxConnection).values(values).onConflictDoUpdate({ target: pbxConnection.id, set: values });
    this.#cached = undefined;
  }

  async update(
    patch: Partial<{ enabled: boolean; settings: TelephonySettings; streamState: string; lastError: string | null; eventsSeenUntil: Date; loggingSince: Date }>,
  ): Promise<void> {
    const set: Record<string, unknown> = { ...patch, updatedAt: new Date() };
    if (patch.settings) set.settings = patch.settings as unknown as Record<string, unknown>;
    this.#cached = undefined;
    await this.#db.update(pbxConnection).set(set).where(eq(pbxConnection.id, ROW));
    this.#cached = undefined;
  }

  async delete(): Promise<void> {
    this.#cached = undefined;
    await this.#db.delete(pbxConnection).where(eq(pbxConnection.id, ROW));
    this.#cached = undefined;
  }
}
