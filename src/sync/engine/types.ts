/**
 * A declared sync (issue 13): a name, the remote model as a zod schema, its
 * checkpoint, the directions it supports and `run(ctx)`. `ctx` gives only what
 * the work needs — pull pages by updated-time window, save records, save the
 * checkpoint, report a record as excluded or failing, a logger, an abort
 * signal — never the database or the queue. The engine (./engine.ts) does
 * the matching, mapping, conflicts, writes, audit and bookkeeping.
 */
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { CheckpointDefinition } from '../checkpoints.ts';
import type { Direction } from './settings.ts';

/** What the engine needs of a remote record: its id, its own modification time and its fields as text. */
export interface SourceRecord {
  id: string;
  modifiedAt: Date;
  values: Record<string, string | null>;
}

/** The checkpoint of a windowed pull: the newest modification time committed, and the initial pass's progress. */
export const windowCheckpoint = z.object({
  /** ISO time of the newest record whose writes have committed; null before the first page. */
  watermark: z.string().nullable(),
  /** The initial pass finished: later passes are incremental. */
  initialDone: z.boolean(),
  /** Hash of the settings the pass runs with: changed settings re-run the initial pass (reference §B.1). */
  settingsHash: z.string(),
  /** The initial pass's window, for its progress bar. */
  initialFrom: z.string().nullable().default(null),
  initialTo: z.string().nullable().default(null),
  /** Records read since the initial pass began. */
  processed: z.number().int().nonnegative().default(0),
  lastPassAt: z.string().nullable().default(null),
});
export type WindowCheckpoint = z.output<typeof windowCheckpoint>;

export interface Window {
  from: Date;
  to: Date;
}

export interface PageResult {
  items: unknown[];
  /** Continue the same window; null on its last page. */
  next: string | null;
}

export interface PullOptions {
  /** Re-read this much before the watermark (clock skew, late writes); duplicates are recognised by hash. */
  overlapMs: number;
  /** The earliest time the remote accepts as a window's start. */
  epoch: Date;
  fetchPage(window: Window, token: string | null, signal: AbortSignal): Promise<PageResult>;
  /** Dry run: stop after this many records. */
  previewLimit?: number;
}

export interface SaveSummary {
  created: number;
  updated: number;
  unchanged: number;
  excluded: number;
  failing: number;
}

export interface SyncRunContext<Remote, Config> {
  readonly connectionId: string;
  readonly config: Config;
  readonly dryRun: boolean;
  log: Logger;
  signal: AbortSignal;
  /** The windowed pull: initial and incremental passes are this one loop (checkpoint after each committed page). */
  pull(opts: PullOptions): Promise<SaveSummary>;
  /** Validates (the zod model), maps, matches and writes a page of remote records; resolves once committed. */
  save(items: readonly unknown[]): Promise<SaveSummary>;
  /** Records a record the remote could not give (a fetch error) as failing. */
  fail(remoteId: string, reason: string): Promise<void>;
  /** Typed access to the remote model, for a sync's own reads. */
  parse(item: unknown): Remote;
}

export interface SyncDefinition<Remote, Config = unknown> {
  /** Unique per connector (`cards`); the checkpoint and the index use it. */
  name: string;
  /** The HubSpot object written (contacts). */
  objectType: 'contacts';
  remote: z.ZodType<Remote>;
  checkpoint: CheckpointDefinition<typeof windowCheckpoint>;
  directions: readonly Direction[];
  /** The remote's mappable fields (mappings are checked against them). */
  remoteFields: readonly string[];
  /** The field holding the e-mail records are matched by. */
  emailField: string;
  /** How the audit log names one record (`card 0440CF…`). */
  describe(remoteId: string): string;
  toSource(remote: Remote): SourceRecord;
  /** The connector's own rule (e.g. the selected tags): a reason to exclude, or null. */
  include?(remote: Remote, config: Config): string | null;
  run(ctx: SyncRunContext<Remote, Config>): Promise<void>;
  /** Reads records again by id (resync of one record): the ones still there. */
  fetchByIds?(ids: readonly string[], ctx: SyncRunContext<Remote, Config>): Promise<unknown[]>;
  /** HubSpot → the app: creates a record from mapped values (Sansan: `POST /bizCards`); answers it in the remote model. */
  createRemote?(values: Record<string, string>, ctx: SyncRunContext<Remote, Config>): Promise<unknown>;
  /** What "Retry" of a failing record enqueues (a job of the connector). */
  retry?(connectionId: string, remoteId: string): { job: { name: string; schema: z.ZodType }; payload: unknown };
}

export function defineSync<Remote, Config>(def: SyncDefinition<Remote, Config>): SyncDefinition<Remote, Config> {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(def.name)) throw new Error(`sync name "${def.name}" must be lowercase letters, digits and dashes`);
  if (!def.remoteFields.includes(def.emailField)) throw new Error(`sync ${def.name}: its e-mail field "${def.emailField}" is not one of its fields`);
  return def;
}
