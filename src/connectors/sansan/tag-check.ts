/**
 * A selected tag that disappeared (deleted in Sansan, or no longer visible to the key's user): its
 * cards are no longer selected by it, and Sansan says so nowhere — a card that loses a tag keeps its
 * update time, so the feed does not bring it back. Checked against `GET /tags` when the settings are
 * saved, on "Sync now", and every ten minutes by the poller; each missing tag is an open sync error
 * of the connection (object `tag`) until it is back or no longer selected.
 */
import type { Connection } from '../../platform/connector.ts';
import { SansanClient } from './client.ts';
import type { Ctx } from './passes.ts';
import type { Credentials, Settings } from './settings.ts';

const CHECK_EVERY_MS = 10 * 60_000;
const lastCheck = new Map<string, number>();

export async function checkSelectedTags(ctx: Ctx, c: Connection<Settings, Credentials>, opts: { force?: boolean } = {}): Promise<void> {
  if (!opts.force && Date.now() - (lastCheck.get(c.id) ?? 0) < CHECK_EVERY_MS) return;
  lastCheck.set(c.id, Date.now());
  const wanted = new Map(c.settings.tags.map((t) => [t.id, t]));
  const seen = new Set<string>();
  if (wanted.size) {
    const client = new SansanClient({ apiBaseUrl: c.settings.apiBaseUrl, apiKey: c.credentials.apiKey, signal: ctx.signal });
    let token: string | undefined;
    do {
      const page = await client.tags({ nextPageToken: token });
      for (const t of page.data) if (wanted.has(t.id)) seen.add(t.id);
      token = page.hasMore && page.nextPageToken ? page.nextPageToken : undefined;
    } while (token && seen.size < wanted.size);
  }
  for (const t of wanted.values()) {
    if (seen.has(t.id)) await ctx.syncErrors.resolveRecord(c.id, 'tag', t.id);
    else
      await ctx.syncErrors.record({
        connectionId: c.id,
        category: 'validation',
        objectType: 'tag',
        recordId: t.id,
        reason: `The selected tag "${t.name}" no longer exists in Sansan (or this key's user no longer sees it): no card is selected by it any more. Pick the tags again and save.`,
      });
  }
  // Errors of tags no longer selected are over.
  for (const e of await ctx.syncErrors.listOpen({ connectionId: c.id, limit: 500 })) {
    if (e.objectType === 'tag' && e.recordId && !wanted.has(e.recordId)) await ctx.syncErrors.resolve(e.id);
  }
}
