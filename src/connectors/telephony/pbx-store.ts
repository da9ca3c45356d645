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

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async get(): Promise<PbxConnectionRecord | null> {
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
      id: ROW, vendor: credentials.vendor, baseUrl: credentials.baseUrl, clientId: credentials.clientId,
      clientSecretSealed: this.#box.encrypt(credentials.clientSecret, 'pbx:client_secret'),
      webhookSecretSealed: credentials.webhookSecret ? this.#box.encrypt(credentials.webhookSecret, 'pbx:webhook_secret') : null,
      pbxInfo: info as unknown as Record<string, unknown>,
      enabled: current?.enabled ?? false,
      settings: (current?.settings ?? defaultSettings()) as unknown as Record<string, unknown>,
      streamState: 'connecting', lastError: null,
      updatedAt: new Date(),
    };
    await this.#db.insert(pbxConnection).values(values).onConflictDoUpdate({ target: pbxConnection.id, set: values });
  }

  async update(patch: Partial<{ enabled: boolean; settings: TelephonySettings; streamState: string; lastError: string | null; eventsSeenUntil: Date; loggingSince: Date }>): Promise<void> {
    const set: Record<string, unknown> = { ...patch, updatedAt: new Date() };
    if (patch.settings) set.settings = patch.settings as unknown as Record<string, unknown>;
    await this.#db.update(pbxConnection).set(set).where(eq(pbxConnection.id, ROW));
  }

  async delete(): Promise<void> {
    await this.#db.delete(pbxConnection).where(eq(pbxConnection.id, ROW));
  }
}
