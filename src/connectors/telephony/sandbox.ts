/**
 * Sandbox mode: the PBX emulator is connected on first start and set up the
 * way the Yeastar manual's admin would — users auto-bound by e-mail, the
 * integration enabled, auto-create on for both directions, contact sync on
 * into a new CRM phonebook — so a newcomer's first simulated call lands in
 * HubSpot. Later starts keep whatever the admin changed.
 */
import type { Sandboxes } from '../../sandbox/sandboxes.ts';
import type { SandboxLifecycle } from '../../platform/connector.ts';
import { createAdapter } from './pbx-registry.ts';
import { listHubSpotUsers, proposeBindings } from './bindings.ts';
import { mergeSettings } from './settings.ts';
import type { TelephonyContext } from './context.ts';

type ConnectInput = { vendor: 'yeastar'; baseUrl: string; clientId: string; clientSecret: string; webhookSecret: string | null };

export const SANDBOX_PHONEBOOK = 'HubSpot_CRM_Phonebook';

export async function configureTelephonySandbox(ctx: TelephonyContext, sandboxes: Sandboxes, lifecycle: SandboxLifecycle<ConnectInput>): Promise<void> {
  const { store, registry, services } = ctx;
  const pbx = sandboxes.yeastar.info();
  const current = await store.get();
  const credentials = {
    vendor: 'yeastar' as const,
    baseUrl: pbx.baseUrl,
    clientId: pbx.clientId,
    clientSecret: pbx.clientSecret,
    webhookSecret: pbx.webhookSecret,
  };
  if (!current) {
    // Connected through the connector's own lifecycle, as an admin would.
    const { id } = await lifecycle.connect(credentials);
    store.invalidate();
    await registry.reset();
    await setUp(ctx, id, lifecycle);
    return;
  }
  if (current.baseUrl !== pbx.baseUrl || current.clientId !== pbx.clientId || current.clientSecret !== pbx.clientSecret) {
    // The emulator's address or credentials changed (another port): reconnect, keeping what the admin set.
    const probe = createAdapter(credentials, services.log, registry.addresses);
    try {
      await store.replaceCredentials(current.id, credentials, await probe.verifyCredentials());
    } finally {
      await probe.dispose();
    }
    await registry.reset();
  }
}

async function setUp(ctx: TelephonyContext, id: string, lifecycle: SandboxLifecycle<ConnectInput>): Promise<void> {
  const { store, registry, bindings, services } = ctx;

  const adapter = await registry.adapter();
  const [users, extensions] = await Promise.all([listHubSpotUsers(services.hubspot.api), adapter.listExtensions()]);
  await bindings.apply(proposeBindings(users, extensions), users, extensions, 'auto');
  const phonebook = (await adapter.phonebooks.list()).find((b) => b.name.startsWith(SANDBOX_PHONEBOOK)) ?? (await adapter.phonebooks.create(SANDBOX_PHONEBOOK));
  const connection = (await store.get())!;
  const settings = mergeSettings(connection.settings, {
    autoCreate: { inbound: true, outbound: true },
    contactSync: { enabled: true, modules: ['contacts', 'companies'], phonebookId: phonebook.id, phonebookName: phonebook.name },
  });
  await store.update({ settings });
  await lifecycle.enable(id);
  store.invalidate();
  services.log.info({ bound: (await bindings.list()).length, phonebook: phonebook.name }, 'sandbox phone system connected, users bound, integration enabled');
}
