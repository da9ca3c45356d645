/** What the Phone system page shows about the connection. Secrets never leave the server. */
import { sql } from 'drizzle-orm';
import type { TelephonyContext } from './context.ts';
import type { ApiPhoneConnection, ApiPhoneStatus } from './wire.ts';

/** What the Phone system page shows (its wire type, shared with the page: wire.ts). */
export type TelephonyStatus = ApiPhoneStatus;

export async function telephonyStatus(ctx: TelephonyContext): Promise<TelephonyStatus> {
  const c = await ctx.store.get();
  const [counts] = await ctx.services.database.query<{ logged: number; skipped: number; failed: number }>(sql`
    select count(*) filter (where state = 'logged')::int as logged, count(*) filter (where state = 'skipped')::int as skipped,
      count(*) filter (where state in ('retrying', 'failed'))::int as failed
    from call_logs where created_at > now() - interval '1 day'`);
  return {
    connection: c && {
      vendor: c.vendor,
      baseUrl: c.baseUrl,
      clientId: c.clientId,
      webhookSecretSet: !!c.webhookSecret,
      pbx: c.info as unknown as ApiPhoneConnection['pbx'],
      connectedAt: c.connectedAt.toISOString(),
      enabled: c.enabled,
      streamState: c.enabled ? c.streamState : 'disabled',
      lastError: c.lastError,
      eventsSeenUntil: c.eventsSeenUntil?.toISOString() ?? null,
    },
    settings: c?.settings ?? null,
    webhookUrl: `${ctx.services.hubspot.publicUrl}/webhooks/telephony/${c?.vendor ?? 'yeastar'}`,
    bindings: (await ctx.bindings.list()).length,
    today: { logged: counts?.logged ?? 0, skipped: counts?.skipped ?? 0, failed: counts?.failed ?? 0 },
  };
}
