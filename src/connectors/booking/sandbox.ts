/**
 * Sandbox mode: `npm start` comes up with the booking sources connected to
 * their emulators (sandbox/booking/) — one connection holding a secret per
 * source, each emulator's webhook subscribed to Spokes' URL with it, every
 * emulator event type synced to HubSpot with missing contacts created — so a
 * booking made through an emulator's controls reaches HubSpot on its own.
 * Runs at every start: the emulators keep no state across restarts, the
 * connection and the meeting-type settings do (an admin's change is kept).
 */
import { randomBytes } from 'node:crypto';
import type { SandboxLifecycle } from '../../platform/connector.ts';
import type { Sandboxes } from '../../sandbox/sandboxes.ts';
import type { BookingContext } from './index.ts';
import type { MeetingTypes } from './meeting-types.ts';
import { SOURCES } from './payloads.ts';

type Input = { calcomSecret?: string; immedioSecret?: string };

export async function setUpBookingSandbox(ctx: BookingContext, sandboxes: Sandboxes, lifecycle: SandboxLifecycle<Input>, stores: { types: MeetingTypes }) {
  let [connection] = await ctx.connections.list();
  if (!connection) {
    const secret = () => `whsec_${randomBytes(24).toString('base64url')}`;
    const { id } = await lifecycle.connect({ calcomSecret: secret(), immedioSecret: secret() });
    connection = (await ctx.connections.get(id))!;
  }
  if (connection.choice !== 'enabled') await lifecycle.enable(connection.id);
  const creds = (await ctx.connections.open(connection.id)).credentials;
  for (const source of SOURCES) {
    const emulator = sandboxes[source];
    const secret = source === 'calcom' ? creds.calcomSecret : creds.immedioSecret;
    if (!secret) continue;
    const subscriberUrl = `${ctx.publicUrl}/webhooks/booking/${source}/${connection.id}`;
    if (!emulator.webhooks().some((w) => w.subscriberUrl === subscriberUrl && w.secret === secret))
      emulator.addWebhook({ subscriberUrl, secret }, { keep: true });
    for (const et of emulator.info().eventTypes)
      await stores.types.ensure(source, { id: String(et.id), slug: et.slug, name: et.title }, { syncEnabled: true, createContacts: true });
  }
  ctx.log.info({ connectionId: connection.id }, 'booking sources connected to the Cal.com and immedio emulators');
}
