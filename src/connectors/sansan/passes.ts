/**
 * Running the card sync for Sansan connections: one pass of one connection
 * (with the per-connection errors an admin can act on), and the poller stream
 * that keeps every enabled, configured connection within seconds of Sansan
 * (D6). `kick()` wakes it at once (settings saved, "Sync now").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, ConnectorContext } from '../../platform/connector.ts';
import type { PassResult } from '../../sync/engine/engine.ts';
import { PassRunningError } from '../../sync/engine/pass-lock.ts';
import { cardSync, cardSyncConfig, type CardSyncConfig } from './cards.ts';
import { SansanAuthError } from './client.ts';
import { adoptLegacyCheckpoint } from './legacy-checkpoint.ts';
import { checkSelectedTags } from './tag-check.ts';
import { describeMissing, scopeRefusal, scopeReport } from './scopes.ts';
import type { Credentials, Settings } from './settings.ts';

export type Ctx = ConnectorContext<Settings, Credentials>;

export function configOf(c: Connection<Settings, Credentials>): CardSyncConfig {
  const userId = typeof c.info.userId === 'string' ? c.info.userId : undefined;
  return cardSyncConfig({ apiBaseUrl: c.settings.apiBaseUrl, apiKey: c.credentials.apiKey, tagIds: c.settings.tags.map((t) => t.id), userId });
}

export function isConfigured(s: Settings): boolean {
  return s.sync.enabled && s.sync.mappings.some((m) => m.enabled);
}

let wake: (() => void) | undefined;
/** A kick while the poller was busy: it looks again at once instead of sleeping (a kick is never lost). */
let kicked = false;
/** Wakes the poller now (in this process). */
export function kick(): void {
  kicked = true;
  wake?.();
}

/**
 * One pass, its failure recorded where the admin sees it. A pass already running elsewhere (another
 * process) is not a failure: the poller skips it (null), an admin's "Sync now" hears 409 (`busy: 'throw'`).
 */
export async function runPass(
  ctx: Ctx,
  connection: Connection<Settings, Credentials>,
  signal: AbortSignal,
  opts: { busy?: 'skip' | 'throw'; checkTags?: boolean } = {},
): Promise<PassResult | null> {
  try {
    // A scope HubSpot did not grant fails every card alike: one error naming it instead, and no pass.
    const blocking = (await scopeReport(ctx.hubspot)).missing.filter((m) => m.required);
    if (blocking.length) {
      await ctx.syncErrors.record({ connectionId: connection.id, category: 'auth', reason: describeMissing(blocking) });
      return null;
    }
    const config = configOf(connection);
    await adoptLegacyCheckpoint(ctx.checkpoints, connection.id, connection.settings.sync, config);
    const result = await ctx.sync.run(cardSync, { connectionId: connection.id, settings: connection.settings.sync, config, signal });
    // The pass ran: run-level errors of earlier passes are over.
    await ctx.syncErrors.resolveRecord(connection.id, '', '');
    await checkSelectedTags(ctx, connection, { force: opts.checkTags });
    if (result.created + result.updated > 0 || result.initial) ctx.log.info({ connectionId: connection.id, ...result }, 'Sansan pass');
    return result;
  } catch (err) {
    if (signal.aborted) throw err;
    if (err instanceof PassRunningError) {
      if (opts.busy === 'throw') throw err;
      ctx.log.debug({ connectionId: connection.id }, 'a pass of this connection runs in another process; skipped');
      return null;
    }
    const message = (err as Error).message;
    if (err instanceof SansanAuthError) {
      await ctx.connections.setProblem(
        connection.id,
        'needs_reauthorization',
        'Sansan refuses the API key (revoked or reissued, or its user removed): enter the new key of the same Sansan user (Business cards → Replace the API key); the sync resumes where it stopped',
      );
      await ctx.syncErrors.record({ connectionId: connection.id, category: 'auth', reason: message });
    } else if (scopeRefusal(err)) {
      await ctx.syncErrors.record({ connectionId: connection.id, category: 'auth', reason: scopeRefusal(err)! });
    } else {
      await ctx.syncErrors.record({ connectionId: connection.id, category: /429|limit/i.test(message) ? 'limit' : 'internal', reason: message });
    }
    ctx.log.warn({ connectionId: connection.id, err: message }, 'Sansan pass failed; the next one resumes from the last committed page');
    return null;
  }
}

const IDLE_SECONDS = 5;

/** The poller stream: every enabled and configured connection, every `pollSeconds` (the smallest of them). */
export async function poll(ctx: Ctx, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    kicked = false;
    let every: number | undefined;
    for (const view of await ctx.connections.list()) {
      if (signal.aborted) return;
      if (view.state !== 'enabled' || !view.settings || !isConfigured(view.settings)) continue;
      every = Math.min(every ?? Number.POSITIVE_INFINITY, view.settings.pollSeconds);
      await runPass(ctx, await ctx.connections.open(view.id), signal);
    }
    if (kicked) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        wake = undefined;
        resolve();
      };
      wake = done;
      // With nothing to sync, look again soon: the kick of a connection being switched on comes before its state changes.
      sleep((every ?? IDLE_SECONDS) * 1_000, undefined, { signal })
        .then(done)
        .catch(done);
    });
  }
}
