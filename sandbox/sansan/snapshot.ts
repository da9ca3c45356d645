/**
 * Snapshots: the tenant as NDJSON (a header line, then one line per card), streamed
 * in and out so 100,000 cards never sit in memory as one string. Loaded at start,
 * written after changes (debounced) and on close, atomically (temp file + rename).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { DbCard } from './model/cards.ts';
import type { DbTag } from './model/tags.ts';
import type { TenantState } from './model/tenant.ts';
import type { SansanUser } from './options.ts';

const FORMAT = 'spokes-sansan-sandbox/1';

interface Header {
  format: string;
  savedAt: string;
  clockOffset: number;
  lastStamp: number;
  tokenSecret: string;
  users: SansanUser[];
  tags: DbTag[];
  nextTagSeq: number;
}

/** Fills a fresh state from the file; false when there is none. */
export async function readSnapshot(path: string, state: TenantState): Promise<boolean> {
  try {
    await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: Header | undefined;
  for await (const line of lines) {
    if (!line) continue;
    if (!header) {
      header = JSON.parse(line) as Header;
      if (header.format !== FORMAT) throw new Error(`Unsupported Sansan sandbox snapshot format: ${String(header.format)}`);
      state.clock.offsetMs = header.clockOffset;
      state.clock.observe(header.lastStamp);
      state.tokenSecret = Buffer.from(header.tokenSecret, 'base64');
      state.setUsers(header.users);
      for (const tag of header.tags) state.tags.add(tag);
      state.tags.nextSeq = header.nextTagSeq;
      continue;
    }
    state.cards.addBulk(JSON.parse(line) as DbCard);
  }
  if (!header) throw new Error(`Sansan sandbox snapshot ${path} is empty`);
  state.cards.finishBulk();
  return true;
}

export async function writeSnapshot(path: string, state: TenantState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temp, 'utf8');
  const header: Header = {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    clockOffset: state.clock.offsetMs,
    lastStamp: state.clock.lastStamp,
    tokenSecret: state.tokenSecret.toString('base64'),
    users: state.users,
    tags: state.tags.list,
    nextTagSeq: state.tags.nextSeq,
  };
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  await write(JSON.stringify(header));
  for (const card of state.cards.byId.values()) await write(JSON.stringify(card));
  out.end();
  await once(out, 'finish');
  await rename(temp, path);
}

/** Saves when the state changed, at most once per `debounceMs`, and on `stop()`. */
export class SnapshotWriter {
  private timer?: NodeJS.Timeout;
  private saved: { state: TenantState; version: number };
  private writing: Promise<void> = Promise.resolve();
  private readonly path: string;
  private readonly current: () => TenantState;
  private readonly debounceMs: number;
  private readonly onError: (error: unknown) => void;

  constructor(path: string, current: () => TenantState, debounceMs: number, onError: (error: unknown) => void) {
    this.path = path;
    this.current = current;
    this.debounceMs = debounceMs;
    this.onError = onError;
    const state = current();
    this.saved = { state, version: state.version };
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), Math.max(50, this.debounceMs));
    this.timer.unref();
  }

  flush(): Promise<void> {
    const state = this.current();
    if (state === this.saved.state && state.version === this.saved.version) return this.writing;
    const version = state.version;
    this.saved = { state, version };
    this.writing = this.writing.then(() => writeSnapshot(this.path, state)).catch(this.onError);
    return this.writing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
