/**
 * Snapshots: the whole state as one JSON file, loaded at start and written after
 * changes (debounced) and on close, so a sandbox survives restarts.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredAssociations } from './association-store.ts';
import { OBJECT_TYPE_NAMES, type ObjectTypeName } from './object-types.ts';
import type { DbRecord } from './object-store.ts';
import type { Owner, PortalSettings } from './portal.ts';
import type { StoredProperties } from './property-registry.ts';
import type { AccessToken, AuthCode, DeveloperAccount, Install, RefreshToken, SandboxApp, SandboxState, SandboxUser } from './sandbox-state.ts';

const FORMAT = 'spokes-hubspot-sandbox/1';

interface StoredPortal {
  settings: PortalSettings;
  nextOwnerId: number;
  owners: Owner[];
  properties: StoredProperties;
  associations: StoredAssociations;
  objects: Record<string, { nextId: number; records: DbRecord[] }>;
}

export interface StoredState {
  format: string;
  savedAt: string;
  clockOffset: number;
  counters: SandboxState['counters'];
  developerAccount: DeveloperAccount;
  users: SandboxUser[];
  apps: SandboxApp[];
  installs: Install[];
  authCodes: AuthCode[];
  accessTokens: AccessToken[];
  refreshTokens: RefreshToken[];
  portals: StoredPortal[];
}

export function serializeState(state: SandboxState): StoredState {
  return {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    clockOffset: state.clock.offset,
    counters: { ...state.counters },
    developerAccount: state.developerAccount,
    users: [...state.users.values()],
    apps: [...state.apps.values()],
    installs: [...state.installs.values()],
    authCodes: [...state.authCodes.values()],
    accessTokens: [...state.accessTokens.values()],
    refreshTokens: [...state.refreshTokens.values()],
    portals: [...state.portals.values()].map((portal) => ({
      settings: portal.settings,
      nextOwnerId: portal.nextOwnerId,
      owners: [...portal.owners.values()],
      properties: portal.properties.toJSON(),
      associations: portal.associations.toJSON(),
      objects: Object.fromEntries(
        OBJECT_TYPE_NAMES.map((type) => {
          const store = portal.store(type);
          return [type, { nextId: store.peekNextId, records: [...store.records.values()] }];
        }),
      ),
    })),
  };
}

/** Replaces the (freshly constructed, empty) state's content with a stored one. */
export function restoreState(state: SandboxState, stored: StoredState): void {
  if (stored.format !== FORMAT) throw new Error(`Unsupported HubSpot sandbox snapshot format: ${String(stored.format)}`);
  state.clock.offset = stored.clockOffset;
  Object.assign(state.counters, stored.counters);
  state.developerAccount = stored.developerAccount;
  for (const user of stored.users) state.users.set(user.userId, user);
  for (const app of stored.apps) state.apps.set(app.appId, app);
  for (const install of stored.installs) state.installs.set(`${install.appId}:${install.portalId}`, install);
  for (const code of stored.authCodes) state.authCodes.set(code.code, code);
  for (const token of stored.accessTokens) state.accessTokens.set(token.token, token);
  for (const token of stored.refreshTokens) state.refreshTokens.set(token.token, token);
  for (const stored_ of stored.portals) {
    const portal = state.addPortal({ ...stored_.settings });
    portal.nextOwnerId = stored_.nextOwnerId;
    for (const owner of stored_.owners) portal.owners.set(owner.id, owner);
    portal.properties.restore(stored_.properties);
    for (const [type, data] of Object.entries(stored_.objects) as Array<[ObjectTypeName, { nextId: number; records: DbRecord[] }]>) {
      const store = portal.store(type);
      for (const record of [...data.records].sort((a, b) => a.id - b.id)) store.insert(record);
      store.peekNextId = data.nextId;
    }
    portal.associations.restore(stored_.associations);
  }
}

export async function readSnapshot(path: string): Promise<StoredState | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StoredState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a snapshot. */
export async function writeSnapshot(path: string, state: SandboxState): Promise<void> {
  // The snapshot holds the portal's contacts and its apps' secrets: readable by this user only.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(serializeState(state)), { mode: 0o600 });
  await rename(temp, path);
}

/** Saves when the state's version moved, at most once per `debounceMs`, and on `stop()`. */
export class SnapshotWriter {
  private timer?: NodeJS.Timeout;
  private savedVersion: number;
  private savedState: SandboxState;
  private writing: Promise<void> = Promise.resolve();

  private readonly path: string;
  private readonly current: () => SandboxState;
  private readonly debounceMs: number;
  private readonly onError: (error: unknown) => void;

  constructor(path: string, current: () => SandboxState, debounceMs: number, onError: (error: unknown) => void) {
    this.path = path;
    this.current = current;
    this.debounceMs = debounceMs;
    this.onError = onError;
    this.savedState = current();
    this.savedVersion = this.savedState.version;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), Math.max(50, this.debounceMs));
    this.timer.unref();
  }

  flush(): Promise<void> {
    const state = this.current();
    if (state === this.savedState && state.version === this.savedVersion) return this.writing;
    const version = state.version;
    this.writing = this.writing
      .then(() => writeSnapshot(this.path, state))
      .then(() => {
        this.savedState = state;
        this.savedVersion = version;
      }, this.onError);
    return this.writing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
