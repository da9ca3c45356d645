/**
 * Reads and writes the HubSpot app credentials and the connection row, sealing
 * every secret with the installation key on the way in and opening it on the
 * way out. Nothing else touches these tables.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { hubspotApp, hubspotConnection } from './schema.ts';

const ROW = 'default';

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

export interface Connection {
  kind: 'oauth' | 'private_app';
  status: 'connected' | 'needs_reauthorization';
  baseUrl: string;
  portalId: number;
  accountName: string;
  hubDomain: string | null;
  connectedBy: string | null;
  scopes: string[];
  accessToken: string;
  refreshToken: string | null;
  accessExpiresAt: Date | null;
  lastError: string | null;
  connectedAt: Date;
}

export type NewConnection = Omit<Connection, 'status' | 'lastError' | 'connectedAt'>;

export class ConnectionStore {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async app(db: Db = this.#db): Promise<AppCredentials | null> {
    const [row] = await db.select().from(hubspotApp).where(eq(hubspotApp.id, ROW));
    if (!row) return null;
    return { clientId: row.clientId, clientSecret: this.#box.decrypt(row.clientSecretSealed, 'hubspot:client_secret') };
  }

  /** The client id alone, without opening the secret (for display). */
  async appSummary(): Promise<{ clientId: string } | null> {
    const [row] = await this.#db.select({ clientId: hubspotApp.clientId }).from(hubspotApp).where(eq(hubspotApp.id, ROW));
    return row ?? null;
  }

  async saveApp(app: AppCredentials): Promise<void> {
    const values = { id: ROW, clientId: app.clientId, clientSecretSealed: this.#box.encrypt(app.clientSecret, 'hubspot:client_secret'), updatedAt: new Date() };
    await this.#db.insert(hubspotApp).values(values).onConflictDoUpdate({ target: hubspotApp.id, set: values });
  }

  async connection(db: Db = this.#db): Promise<Connection | null> {
    const [row] = await db.select().from(hubspotConnection).where(eq(hubspotConnection.id, ROW));
    if (!row) return null;
    return {
      kind: row.kind,
      status: row.status,
      baseUrl: row.baseUrl,
      portalId: row.portalId,
      accountName: row.accountName,
      hubDomain: row.hubDomain,
      connectedBy: row.connectedBy,
      scopes: row.scopes,
      accessToken: this.#box.decrypt(row.accessTokenSealed, 'hubspot:access_token'),
      refreshToken: row.refreshTokenSealed ? this.#box.decrypt(row.refreshTokenSealed, 'hubspot:refresh_token') : null,
      accessExpiresAt: row.accessExpiresAt,
      lastError: row.lastError,
      connectedAt: row.connectedAt,
    };
  }

  /** Replaces the connection in one statement: a connect either fully happens or not at all. */
  async saveConnection(c: NewConnection): Promise<void> {
    const values = {
      id: ROW,
      kind: c.kind,
      status: 'connected' as const,
      baseUrl: c.baseUrl,
      portalId: c.portalId,
      accountName: c.accountName,
      hubDomain: c.hubDomain,
      connectedBy: c.connectedBy,
      scopes: c.scopes,
      accessTokenSealed: this.#box.encrypt(c.accessToken, 'hubspot:access_token'),
      refreshTokenSealed: c.refreshToken ? this.#box.encrypt(c.refreshToken, 'hubspot:refresh_token') : null,
      accessExpiresAt: c.accessExpiresAt,
      lastError: null,
      connectedAt: new Date(),
      updatedAt: new Date(),
    };
    await this.#db.insert(hubspotConnection).values(values).onConflictDoUpdate({ target: hubspotConnection.id, set: values });
  }

  async saveTokens(db: Db, t: { accessToken: string; refreshToken: string; accessExpiresAt: Date }): Promise<void> {
    await db
      .update(hubspotConnection)
      .set({
        accessTokenSealed: this.#box.encrypt(t.accessToken, 'hubspot:access_token'),
        refreshTokenSealed: this.#box.encrypt(t.refreshToken, 'hubspot:refresh_token'),
        accessExpiresAt: t.accessExpiresAt,
        status: 'connected',
        lastError: null,
        updatedAt: new Date(),
      })
      .where(eq(hubspotConnection.id, ROW));
  }

  async markNeedsReauthorization(reason: string): Promise<void> {
    await this.#db
      .update(hubspotConnection)
      .set({ status: 'needs_reauthorization', lastError: reason, updatedAt: new Date() })
      .where(eq(hubspotConnection.id, ROW));
  }

  async deleteConnection(): Promise<void> {
    await this.#db.delete(hubspotConnection).where(eq(hubspotConnection.id, ROW));
  }
}
