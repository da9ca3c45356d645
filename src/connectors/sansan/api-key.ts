/**
 * A Sansan API key, checked with Sansan (`GET /me`) before it is stored: at connect (D1), and when
 * the admin replaces the key of a connection in place — after Sansan refused the old one (revoked,
 * reissued) or to rotate it. The replacement must belong to the same Sansan user: a key of another
 * user sees other cards, so the connection's checkpoint, index and links would no longer describe
 * what it syncs (connect that key as another account instead, D2). The settings, tags, mappings,
 * checkpoint and record links stay; the next pass resumes where the last one stopped.
 */
import { ValidationError } from '../../errors.ts';
import type { Connection } from '../../platform/connector.ts';
import { SansanAuthError, SansanClient, type SansanUser } from './client.ts';
import { kick, type Ctx } from './passes.ts';
import type { Credentials, Settings } from './settings.ts';

/** The key's Sansan user, or a 400 naming `field` when Sansan refuses the key. */
export async function checkKey(apiBaseUrl: string, apiKey: string, field: string): Promise<SansanUser> {
  const client = new SansanClient({ apiBaseUrl, apiKey });
  return client.me().catch((err: Error) => {
    if (err instanceof SansanAuthError) throw new ValidationError('Sansan refused this API key.', [{ field, message: 'refused by Sansan' }]);
    throw err;
  });
}

/** Replaces the connection's key (sealed like any credentials), clears the re-authorization problem and wakes the poller. */
export async function replaceKey(ctx: Ctx, c: Connection<Settings, Credentials>, apiKey: string, field: string): Promise<void> {
  const me = await checkKey(c.settings.apiBaseUrl, apiKey, field);
  const userId = typeof c.info.userId === 'string' ? c.info.userId : undefined;
  if (userId && me.id !== userId) {
    const was = typeof c.info.userName === 'string' ? c.info.userName : userId;
    throw new ValidationError(
      `This key belongs to ${me.name} (Sansan user ${me.id}), but this connection syncs the cards ${was} sees. A key of another user sees other cards: connect it as another Sansan account instead.`,
      [{ field, message: `belongs to another Sansan user (${me.id}, not ${userId})` }],
    );
  }
  await ctx.connections.updateCredentials(c.id, { apiKey });
  await ctx.connections.updateInfo(c.id, { ...c.info, userId: me.id, userName: me.name, userEmail: me.email }, `${me.name} <${me.email}>`);
  await ctx.connections.clearProblem(c.id);
  // The run-level errors of the refused key are over (records keep theirs until they sync).
  await ctx.syncErrors.resolveRecord(c.id, '', '');
  ctx.log.info({ connectionId: c.id }, 'Sansan API key replaced');
  kick();
}
