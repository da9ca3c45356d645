/**
 * The HubSpot connection as the rest of Spokes sees it: its status for the
 * admin page, the connect/disconnect actions, and `api` for every call.
 */
import { Client } from '@hubspot/api-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { ValidationError } from '../errors.ts';
import { ConnectionStore, type AppCredentials } from './connection-store.ts';
import { TokenKeeper } from './tokens.ts';
import { HubSpotApi } from './api.ts';
import type { RateBudget } from './rate-budget.ts';
import type { CallbackQuery } from '../oauth/authorization.ts';
import { beginInstall, completeInstall } from './install.ts';
import { connectPrivateApp } from './private-app.ts';
import { HUBSPOT } from './manifest.ts';

export interface HubSpotStatus {
  redirectUrl: string;
  webhookUrl: string;
  scopes: { required: string[]; optional: string[] };
  app: { clientId: string | null; clientSecretSet: boolean };
  connection: null | {
    status: 'connected' | 'needs_reauthorization';
    kind: 'oauth' | 'private_app';
    portalId: number;
    accountName: string;
    hubDomain: string | null;
    connectedAt: string;
    scopes: string[];
    lastError: string | null;
  };
  sandbox: boolean;
}

export interface HubSpotServiceOptions {
  database: Database;
  secretBox: SecretBox;
  log: Logger;
  metrics?: Metrics;
  budget: RateBudget;
  /** API base URL for new connections (api.hubapi.com, or the sandbox). */
  baseUrl: string;
  publicUrl: string;
  sandbox: boolean;
  /** Schedules the next token refresh (set once the job queue exists). */
  scheduleRefresh?(expiresAt: Date): Promise<void>;
  /** After a successful connect: start what needs the connection (index build, paused jobs). */
  onConnected?(): Promise<void>;
  /** The connection stopped being usable: pause what needs it now, not at the next periodic check. */
  onUnusable?(): Promise<void>;
  now?: () => number;
}

/**
 * Another sign-in through the connected app that comes back to the OAuth callback (user-sign-in.ts):
 * answers the callback itself (a redirect or a page).
 */
export type SignInCallback = (query: CallbackQuery, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export class HubSpotService {
  readonly store: ConnectionStore;
  readonly tokens: TokenKeeper;
  readonly api: HubSpotApi;
  readonly #opts: HubSpotServiceOptions;
  /** By the prefix of their `state` (`<prefix>.…`): the admin's install has none. */
  readonly #signInCallbacks = new Map<string, SignInCallback>();

  constructor(opts: HubSpotServiceOptions) {
    this.#opts = opts;
    this.store = new ConnectionStore(opts.database.db, opts.secretBox);
    this.tokens = new TokenKeeper({
      database: opts.database,
      store: this.store,
      log: opts.log,
      now: opts.now,
      redirectUrl: () => this.redirectUrl,
      onRefreshed: async (expiresAt) => {
        await opts.scheduleRefresh?.(expiresAt);
      },
      onNeedsReauthorization: async () => {
        await opts.onUnusable?.();
      },
    });
    this.api = new HubSpotApi({ tokens: this.tokens, budget: opts.budget, log: opts.log, metrics: opts.metrics });
  }

  get baseUrl(): string {
    return this.#opts.baseUrl;
  }

  /** Where new connections go (the sandbox's emulator, once it listens). */
  set baseUrl(url: string) {
    this.#opts.baseUrl = url;
  }

  get redirectUrl(): string {
    return `${this.#opts.publicUrl}${HUBSPOT.callbackPath}`;
  }

  /** Spokes' external URL (links written into HubSpot, OAuth and webhook URLs). */
  get publicUrl(): string {
    return this.#opts.publicUrl;
  }

  set publicUrl(url: string) {
    this.#opts.publicUrl = url;
  }

  async status(): Promise<HubSpotStatus> {
    const [app, connection] = await Promise.all([this.store.appSummary(), this.store.connection()]);
    return {
      redirectUrl: this.redirectUrl,
      webhookUrl: `${this.#opts.publicUrl}${HUBSPOT.webhookPath}`,
      scopes: { required: [...HUBSPOT.requiredScopes], optional: [...HUBSPOT.optionalScopes] },
      app: { clientId: app?.clientId ?? null, clientSecretSet: !!app },
      connection: connection && {
        status: connection.status,
        kind: connection.kind,
        portalId: connection.portalId,
        accountName: connection.accountName,
        hubDomain: connection.hubDomain,
        connectedAt: connection.connectedAt.toISOString(),
        scopes: connection.scopes,
        lastError: connection.lastError,
      },
      sandbox: this.#opts.sandbox,
    };
  }

  /** Saves the app's Client ID and Secret after HubSpot confirms the pair is known (T2). */
  async saveApp(app: AppCredentials): Promise<void> {
    await this.#checkClientId(app.clientId);
    await this.store.saveApp(app);
    this.#opts.log.info({ clientId: app.clientId }, 'HubSpot app credentials saved');
  }

  beginAuthorization(): Promise<{ authorizeUrl: string; state: string }> {
    return beginInstall(this.#deps());
  }

  async completeAuthorization(query: CallbackQuery): Promise<void> {
    const connection = await completeInstall(this.#deps(), query);
    this.#opts.log.info({ portalId: connection.portalId, account: connection.accountName }, 'HubSpot connected');
    if (connection.accessExpiresAt) await this.#opts.scheduleRefresh?.(connection.accessExpiresAt);
    await this.#connected();
  }

  /** Routes callbacks whose `state` starts with `<prefix>.` to `handle` instead of the admin's install. */
  registerSignInCallback(prefix: string, handle: SignInCallback): void {
    this.#signInCallbacks.set(prefix, handle);
  }

  signInCallbackFor(state: string | undefined): SignInCallback | undefined {
    const dot = state?.indexOf('.') ?? -1;
    return dot > 0 ? this.#signInCallbacks.get(state!.slice(0, dot)) : undefined;
  }

  async connectPrivateApp(accessToken: string): Promise<void> {
    const connection = await connectPrivateApp({ store: this.store, baseUrl: this.#opts.baseUrl }, accessToken);
    this.#opts.log.info({ portalId: connection.portalId }, 'HubSpot connected with a private-app token');
    await this.#connected();
  }

  /** Forgets the connection; an OAuth refresh token is revoked at HubSpot (best effort). */
  async disconnect(): Promise<void> {
    const connection = await this.store.connection();
    if (!connection) return;
    await this.store.deleteConnection();
    await this.#opts.onUnusable?.().catch(() => {});
    if (connection.kind === 'oauth' && connection.refreshToken) {
      const client = new Client({ basePath: connection.baseUrl, numberOfApiCallRetries: 0 });
      await client.oauth.refreshTokensApi
        .archive(connection.refreshToken)
        .catch((err: unknown) => this.#opts.log.warn({ err: (err as Error).message }, 'could not revoke the HubSpot refresh token'));
    }
    this.#opts.log.info({ portalId: connection.portalId }, 'HubSpot disconnected');
  }

  /** Whether jobs that call HubSpot may run now. */
  async usable(): Promise<boolean> {
    const c = await this.store.connection();
    return c?.status === 'connected';
  }

  async #connected(): Promise<void> {
    await this.#opts.onConnected?.().catch((err: Error) => this.#opts.log.warn({ err: err.message }, 'could not start the work that follows a connect'));
  }

  #deps() {
    return {
      db: this.#opts.database.db,
      secretBox: this.#opts.secretBox,
      store: this.store,
      baseUrl: this.#opts.baseUrl,
      redirectUrl: this.redirectUrl,
      now: this.#opts.now,
    };
  }

  /**
   * HubSpot client ids are UUIDs; a typo is caught here instead of on HubSpot's error page.
   * (A wrong secret can only be detected at the code exchange: HubSpot has no endpoint to test it.)
   */
  async #checkClientId(clientId: string): Promise<void> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
      throw new ValidationError("The Client ID is a UUID like 1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d: copy it from the app's Auth tab in HubSpot.", [
        { field: 'body.clientId', message: 'must be a UUID' },
      ]);
    }
  }
}
