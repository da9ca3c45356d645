/**
 * Reads and writes `connections`, the one table of every connector's
 * connections. Settings are validated by the connector's schema on every read:
 * a row that no longer fits (a removed field, a hand edit) reads as state
 * `error` naming the field — it never throws out of a list, so one broken
 * connection cannot take the others (or the process) down. Credentials are one
 * JSON blob sealed with the installation key, bound to the row's id.
 */
import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { ConflictError, NotFoundError, SpokesError, ValidationError } from '../errors.ts';
import { connections, type ConnectionChoice, type ConnectionProblem, type ConnectionState } from './schema.ts';

/** What the store needs to know about a connector: its schemas and whether it allows one connection. */
export interface ConnectorSchemas {
  slug: string;
  single: boolean;
  settings: z.ZodType;
  credentials: z.ZodType;
}

/** A connection as listed and shown: no credentials. */
export interface ConnectionView<Settings = unknown> {
  id: string;
  connector: string;
  label: string;
  /** The problem when there is one (or settings that no longer validate: `error`), else the admin's choice. */
  state: ConnectionState;
  /** The admin's choice, whatever the problem: what the connection returns to once repaired. */
  choice: ConnectionChoice;
  /** Why the state is a problem, naming the field for settings that no longer validate. */
  reason: string | null;
  /** Null when the stored settings no longer validate (then `settingsProblems` says why). */
  settings: Settings | null;
  settingsProblems: { field: string; message: string }[];
  info: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt: Date | null;
}

/** A connection opened for work: settings valid, credentials unsealed. */
export interface Connection<Settings = unknown, Credentials = unknown> extends ConnectionView<Settings> {
  settings: Settings;
  credentials: Credentials;
}

export interface NewConnection {
  connector: string;
  label: string;
  settings: unknown;
  credentials: unknown;
  info?: Record<string, unknown>;
}

type Row = typeof connections.$inferSelect;

/** Last-activity writes are at most this frequent per connection (a busy connection runs many jobs a second). */
const TOUCH_EVERY_MS = 10_000;

export class Connections {
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #schemas: (slug: string) => ConnectorSchemas | undefined;
  readonly #touched = new Map<string, number>();

  constructor(db: Db, box: SecretBox, schemas: (slug: string) => ConnectorSchemas | undefined) {
    this.#db = db;
    this.#box = box;
    this.#schemas = schemas;
  }

  async list(filter: { connector?: string } = {}): Promise<ConnectionView[]> {
    const rows = await this.#db
      .select()
      .from(connections)
      .where(filter.connector ? eq(connections.connector, filter.connector) : undefined)
      .orderBy(asc(connections.connector), asc(connections.createdAt));
    return rows.map((r) => this.#view(r));
  }

  async get(id: string): Promise<ConnectionView | null> {
    const [row] = await this.#db.select().from(connections).where(eq(connections.id, id));
    return row ? this.#view(row) : null;
  }

  /** The connection or a 404 naming it. */
  async require(id: string): Promise<ConnectionView> {
    const found = await this.get(id);
    if (!found) throw new NotFoundError(`There is no connection "${id}" (spokes connections list shows them).`);
    return found;
  }

  /**
   * The connection with its credentials, for work. Settings that no longer validate refuse
   * (409 naming the field) unless `allowBrokenSettings` (disconnect must always work).
   */
  async open(id: string, opts: { db?: Db; allowBrokenSettings?: boolean } = {}): Promise<Connection> {
    const [row] = await (opts.db ?? this.#db).select().from(connections).where(eq(connections.id, id));
    if (!row) throw new NotFoundError(`There is no connection "${id}".`);
    const view = this.#view(row);
    if (view.settings === null && !opts.allowBrokenSettings) {
      throw new SpokesError('conflict', `Connection ${id} cannot be used: ${view.reason}`, { status: 409, details: view.settingsProblems });
    }
    const credentials = this.#unseal(row);
    // Credentials a data migration carried over in their older form are sealed anew on first use.
    if (row.credentialsSealed.startsWith(LEGACY_PREFIX)) await this.#update(id, { credentialsSealed: this.#seal(id, credentials) }, opts.db);
    return { ...view, settings: view.settings as never, credentials };
  }

  /** Stores a new connection (state `connected`). Settings and credentials must validate; a second "one" is a 409. */
  async insert(input: NewConnection): Promise<ConnectionView> {
    const schemas = this.#schemasOf(input.connector);
    const settings = validate(schemas.settings, input.settings, 'settings');
    const credentials = validate(schemas.credentials, input.credentials, 'credentials');
    const id = newConnectionId(input.connector);
    try {
      const [row] = await this.#db
        .insert(connections)
        .values({
          id,
          connector: input.connector,
          single: schemas.single,
          label: input.label,
          state: 'connected',
          settings,
          credentialsSealed: this.#seal(id, credentials),
          info: input.info ?? {},
        })
        .returning();
      return this.#view(row!);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`${input.connector} allows one connection and already has one: disconnect it first (spokes connections list).`);
      }
      throw err;
    }
  }

  async setChoice(id: string, choice: ConnectionChoice): Promise<void> {
    await this.#update(id, { state: choice });
  }

  /** Marks a problem (`needs_reauthorization`, `error`) with the reason an admin can act on. */
  async setProblem(id: string, problem: ConnectionProblem, reason: string): Promise<void> {
    await this.#update(id, { problem, problemReason: reason });
  }

  async clearProblem(id: string): Promise<void> {
    await this.#update(id, { problem: null, problemReason: null });
  }

  /** Replaces the settings; they must validate (a 400 naming the field otherwise). */
  async updateSettings(id: string, settings: unknown): Promise<void> {
    const row = await this.#row(id);
    await this.#update(id, { settings: validate(this.#schemasOf(row.connector).settings, settings, 'settings') });
  }

  /** Replaces the credentials (a rotated token); `db` lets a caller write inside its own transaction. */
  async updateCredentials(id: string, credentials: unknown, db?: Db): Promise<void> {
    const row = await this.#row(id, db);
    const parsed = validate(this.#schemasOf(row.connector).credentials, credentials, 'credentials');
    await this.#update(id, { credentialsSealed: this.#seal(id, parsed) }, db);
  }

  async updateInfo(id: string, info: Record<string, unknown>, label?: string): Promise<void> {
    await this.#update(id, { info, ...(label === undefined ? {} : { label }) });
  }

  /** Records that work for the connection just succeeded (written at most every 10 s per connection). */
  async touch(id: string, now = Date.now()): Promise<void> {
    if (now - (this.#touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.#touched.set(id, now);
    await this.#db
      .update(connections)
      .set({ lastActivityAt: new Date(now) })
      .where(eq(connections.id, id));
  }

  /** Deletes the connection; its record links, checkpoints and sync errors go with it (foreign keys). */
  async delete(id: string): Promise<void> {
    await this.#db.delete(connections).where(eq(connections.id, id));
    this.#touched.delete(id);
  }

  /** Connectors with at least one connection that needs re-authorization: their job gates are closed. */
  async connectorsNeedingReauthorization(): Promise<Set<string>> {
    const rows = await this.#db.selectDistinct({ connector: connections.connector }).from(connections).where(eq(connections.problem, 'needs_reauthorization'));
    return new Set(rows.map((r) => r.connector));
  }

  async #row(id: string, db?: Db): Promise<Row> {
    const [row] = await (db ?? this.#db).select().from(connections).where(eq(connections.id, id));
    if (!row) throw new NotFoundError(`There is no connection "${id}".`);
    return row;
  }

  async #update(id: string, set: Partial<typeof connections.$inferInsert>, db?: Db): Promise<void> {
    const updated = await (db ?? this.#db)
      .update(connections)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(connections.id, id))
      .returning({ id: connections.id });
    if (updated.length === 0) throw new NotFoundError(`There is no connection "${id}".`);
  }

  #schemasOf(slug: string): ConnectorSchemas {
    const schemas = this.#schemas(slug);
    if (!schemas) throw new ValidationError(`There is no connector "${slug}".`, [{ field: 'connector', message: 'unknown connector' }]);
    return schemas;
  }

  #view(row: Row): ConnectionView {
    const base = {
      id: row.id,
      connector: row.connector,
      label: row.label,
      choice: row.state,
      info: row.info ?? {},
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      lastActivityAt: row.lastActivityAt,
    };
    const schemas = this.#schemas(row.connector);
    if (!schemas) {
      return {
        ...base,
        state: 'error',
        reason: `Spokes has no connector "${row.connector}" any more: disconnect this connection.`,
        settings: null,
        settingsProblems: [],
      };
    }
    const parsed = schemas.settings.safeParse(row.settings);
    if (!parsed.success) {
      const problems = issues(parsed.error, 'settings');
      return {
        ...base,
        state: 'error',
        settings: null,
        settingsProblems: problems,
        reason: `The stored settings no longer validate: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}. Save the settings again.`,
      };
    }
    return { ...base, state: row.problem ?? row.state, reason: row.problem ? row.problemReason : null, settings: parsed.data, settingsProblems: [] };
  }

  #seal(id: string, credentials: unknown): string {
    return this.#box.encrypt(JSON.stringify(credentials), `connection:${id}:credentials`);
  }

  #unseal(row: Row): unknown {
    const value: unknown = row.credentialsSealed.startsWith(LEGACY_PREFIX)
      ? unsealLegacy(this.#box, row.credentialsSealed.slice(LEGACY_PREFIX.length))
      : JSON.parse(this.#box.decrypt(row.credentialsSealed, `connection:${row.id}:credentials`));
    const schemas = this.#schemasOf(row.connector);
    const parsed = schemas.credentials.safeParse(value);
    // Never echo credential values: only the field names.
    if (!parsed.success)
      throw new SpokesError(
        'conflict',
        `The stored credentials of ${row.id} no longer validate (${issues(parsed.error, 'credentials')
          .map((d) => d.field)
          .join(', ')}): reconnect it.`,
        { status: 409 },
      );
    return parsed.data;
  }
}

/**
 * The connection store as a connector sees it: its own connections only (a connection of another
 * connector reads as missing), typed by its schemas.
 */
export interface ConnectionsApi<Settings = unknown, Credentials = unknown> {
  list(): Promise<ConnectionView<Settings>[]>;
  get(id: string): Promise<ConnectionView<Settings> | null>;
  /** With `allowBrokenSettings`, settings that no longer validate do not refuse (they read as null). */
  open(id: string, opts?: { allowBrokenSettings?: boolean }): Promise<Connection<Settings, Credentials>>;
  /** The admin's choice, as the connector's own page sets it (the lifecycle's enable/disable run the connector's hooks too). */
  setChoice(id: string, choice: ConnectionChoice): Promise<void>;
  updateSettings(id: string, settings: Settings): Promise<void>;
  updateCredentials(id: string, credentials: Credentials): Promise<void>;
  updateInfo(id: string, info: Record<string, unknown>, label?: string): Promise<void>;
  /** The remote refused in a way only an admin can fix; the reason is shown as it is. */
  setProblem(id: string, problem: ConnectionProblem, reason: string): Promise<void>;
  clearProblem(id: string): Promise<void>;
  touch(id: string): Promise<void>;
}

export function scopedConnections(store: Connections, connector: string): ConnectionsApi<never, never> {
  const own = async (id: string) => {
    const found = await store.get(id);
    if (!found || found.connector !== connector) throw new NotFoundError(`There is no ${connector} connection "${id}".`);
    return found;
  };
  return {
    list: () => store.list({ connector }) as never,
    get: async (id) => {
      const found = await store.get(id);
      return (found?.connector === connector ? found : null) as never;
    },
    open: async (id, opts) => {
      await own(id);
      return (await store.open(id, { allowBrokenSettings: opts?.allowBrokenSettings })) as never;
    },
    setChoice: async (id, choice) => {
      await own(id);
      await store.setChoice(id, choice);
    },
    updateSettings: async (id, settings) => {
      await own(id);
      await store.updateSettings(id, settings);
    },
    updateCredentials: async (id, credentials) => {
      await own(id);
      await store.updateCredentials(id, credentials);
    },
    updateInfo: async (id, info, label) => {
      await own(id);
      await store.updateInfo(id, info, label);
    },
    setProblem: async (id, problem, reason) => {
      await own(id);
      await store.setProblem(id, problem, reason);
    },
    clearProblem: async (id) => {
      await own(id);
      await store.clearProblem(id);
    },
    touch: (id) => store.touch(id),
  };
}

/**
 * Credentials moved here by a SQL data migration (which cannot seal: it has no key) are stored as
 * `legacy:` and a JSON object whose secret fields are still sealed as their old table had them,
 * `{"sealed": "…", "aad": "pbx:client_secret"}`. They are unsealed field by field, and `open`
 * seals the whole anew, bound to the connection's id.
 */
const LEGACY_PREFIX = 'legacy:';

function unsealLegacy(box: SecretBox, json: string): unknown {
  const fields = JSON.parse(json) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const sealed = value as { sealed?: unknown; aad?: unknown } | null;
    out[key] =
      sealed && typeof sealed === 'object' && typeof sealed.sealed === 'string' && typeof sealed.aad === 'string'
        ? box.decrypt(sealed.sealed, sealed.aad)
        : value;
  }
  return out;
}

/** `telephony-7kq2m4xa`: the connector and 8 base32 characters (40 random bits). */
export function newConnectionId(connector: string): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let out = '';
  for (const b of randomBytes(8)) out += alphabet[b & 31];
  return `${connector}-${out}`;
}

function validate(schema: z.ZodType, value: unknown, prefix: string): unknown {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const details = issues(parsed.error, prefix);
    throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  return parsed.data;
}

function issues(error: z.ZodError, prefix: string): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
  }
  return false;
}
