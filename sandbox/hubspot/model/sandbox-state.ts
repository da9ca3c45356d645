/**
 * Everything the emulator holds in memory: portals, HubSpot users, the developer
 * account with its apps, installs, OAuth codes and tokens, and per-app developer
 * settings (webhooks, calling). Routes read and write it; snapshots serialise it.
 */
import type { CountryCode } from 'libphonenumber-js';
import { SandboxClock } from '../clock.ts';
import { newPrivateAppToken, newUuid } from '../random.ts';
import { Portal, type PortalType } from './portal.ts';

export interface SandboxUser {
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
  /** Portals the user can open and install apps into. */
  portalIds: number[];
}

export interface WebhookSubscription {
  id: number;
  eventType: string;
  propertyName?: string;
  objectTypeId?: string;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface CallingSettings {
  name: string;
  url: string;
  width: number;
  height: number;
  isReady: boolean;
  supportsCustomObjects: boolean;
  supportsInboundCalling: boolean;
  usesCallingWindow: boolean;
  usesRemote: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SandboxApp {
  appId: number;
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUrls: string[];
  /** Scopes the app requires; an install URL must request all of them (§1.1). */
  scopes: string[];
  optionalScopes: string[];
  webhookSettings?: { targetUrl: string; maxConcurrentRequests: number; period?: string; createdAt: number; updatedAt: number };
  subscriptions: WebhookSubscription[];
  calling?: CallingSettings;
  recording?: { urlToRetrieveAuthedRecording: string };
  channelConnection?: { url: string; isReady: boolean; createdAt: number; updatedAt: number };
}

export interface Install {
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  installedAt: number;
}

export interface AuthCode {
  code: string;
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export interface AccessToken {
  token: string;
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  expiresAt: number;
  refreshToken: string;
}

export interface RefreshToken {
  token: string;
  appId: number;
  portalId: number;
  userId: number;
  scopes: string[];
  revoked: boolean;
}

export interface DeveloperAccount {
  portalId: number;
  name: string;
  developerApiKey: string;
}

export class SandboxState {
  readonly clock = new SandboxClock();
  readonly portals = new Map<number, Portal>();
  readonly users = new Map<number, SandboxUser>();
  readonly apps = new Map<number, SandboxApp>();
  readonly installs = new Map<string, Install>();
  readonly authCodes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  developerAccount: DeveloperAccount = { portalId: 0, name: '', developerApiKey: '' };
  counters = { nextAppId: 3_100_001, nextUserId: 5_000_001, nextSubscriptionId: 101, nextEventId: 1 };
  /** Bumped on every write; the snapshot writer saves when it changes. */
  version = 0;

  touch(): void {
    this.version++;
  }

  addPortal(input: {
    portalId: number;
    name: string;
    type: PortalType;
    domain: string;
    timeZone?: string;
    defaultRegion?: CountryCode;
    privateAppToken?: string;
  }): Portal {
    const portal = new Portal(
      {
        portalId: input.portalId,
        name: input.name,
        type: input.type,
        domain: input.domain,
        timeZone: input.timeZone ?? 'US/Eastern',
        defaultRegion: input.defaultRegion ?? 'US',
        privateAppToken: input.privateAppToken ?? newPrivateAppToken(),
      },
      this.clock.now(),
    );
    this.portals.set(portal.portalId, portal);
    return portal;
  }

  /** A user who is a member of the given portals; each membership makes the user an owner there (§5). */
  addUser(input: { email: string; firstName: string; lastName: string; portalIds: number[]; userId?: number }): SandboxUser {
    const userId = input.userId ?? this.counters.nextUserId++;
    const user: SandboxUser = { userId, email: input.email, firstName: input.firstName, lastName: input.lastName, portalIds: [...input.portalIds] };
    this.users.set(userId, user);
    const now = this.clock.now();
    for (const portalId of input.portalIds) {
      const portal = this.portals.get(portalId);
      if (portal && !portal.ownerByUserId(userId)) {
        portal.addOwner({
          userId,
          email: user.email,
          firstName: user.firstName,
          lastName: user.lastName,
          type: 'PERSON',
          teams: [],
          createdAt: now,
          updatedAt: now,
          archived: false,
        });
      }
    }
    this.touch();
    return user;
  }

  addApp(input: {
    name: string;
    redirectUrls: string[];
    scopes: string[];
    optionalScopes?: string[];
    appId?: number;
    clientId?: string;
    clientSecret?: string;
  }): SandboxApp {
    const appId = input.appId ?? this.counters.nextAppId++;
    if (appId >= this.counters.nextAppId) this.counters.nextAppId = appId + 1;
    const app: SandboxApp = {
      appId,
      name: input.name,
      clientId: input.clientId ?? newUuid(),
      clientSecret: input.clientSecret ?? newUuid(),
      redirectUrls: [...input.redirectUrls],
      scopes: [...new Set(input.scopes)],
      optionalScopes: [...(input.optionalScopes ?? [])],
      subscriptions: [],
    };
    this.apps.set(appId, app);
    this.touch();
    return app;
  }

  appByClientId(clientId: string): SandboxApp | undefined {
    for (const app of this.apps.values()) if (app.clientId === clientId) return app;
    return undefined;
  }

  portal(portalId: number): Portal | undefined {
    return this.portals.get(portalId);
  }

  install(appId: number, portalId: number): Install | undefined {
    return this.installs.get(`${appId}:${portalId}`);
  }

  putInstall(install: Install): void {
    this.installs.set(`${install.appId}:${install.portalId}`, install);
    this.touch();
  }

  /** Removes an install: its refresh and access tokens stop working (UNCONFIRMED for access tokens). */
  uninstall(appId: number, portalId: number): boolean {
    const existed = this.installs.delete(`${appId}:${portalId}`);
    for (const refresh of this.refreshTokens.values()) if (refresh.appId === appId && refresh.portalId === portalId) refresh.revoked = true;
    for (const [token, access] of this.accessTokens) if (access.appId === appId && access.portalId === portalId) this.accessTokens.delete(token);
    this.touch();
    return existed;
  }

  portalByPrivateToken(token: string): Portal | undefined {
    for (const portal of this.portals.values()) if (portal.settings.privateAppToken === token) return portal;
    return undefined;
  }
}
