/**
 * The webhook subscriptions that keep the phone index fresh — data for the
 * admin page (what to add to a real HubSpot app) and for sandbox mode, where
 * Spokes configures the emulator's app itself with the developer API key
 * (reference §10: settings and subscriptions per app, `?hapikey=`).
 */
import { Client } from '@hubspot/api-client';
import { HUBSPOT } from '../manifest.ts';

export interface WebhookSubscriptionSpec {
  eventType: string;
  propertyName?: string;
}

const CONTACT_PROPERTIES = ['phone', 'mobilephone', 'firstname', 'lastname', 'country', 'associatedcompanyid'] as const;
const COMPANY_PROPERTIES = ['phone', 'name', 'country'] as const;

/** §10: `*.propertyChange` needs one subscription per property (no wildcard). */
export const HUBSPOT_WEBHOOKS = {
  path: HUBSPOT.webhookPath,
  /** HubSpot caches app webhook settings for up to 5 minutes (§10). */
  settingsCacheMinutes: 5,
  maxConcurrentRequests: 10,
  subscriptions: [
    { eventType: 'contact.creation' },
    { eventType: 'contact.deletion' },
    { eventType: 'contact.privacyDeletion' },
    { eventType: 'contact.merge' },
    { eventType: 'contact.restore' },
    // A new primary company: `associatedcompanyid` changes on the contact.
    { eventType: 'contact.associationChange' },
    ...CONTACT_PROPERTIES.map((propertyName) => ({ eventType: 'contact.propertyChange', propertyName })),
    { eventType: 'company.creation' },
    { eventType: 'company.deletion' },
    { eventType: 'company.merge' },
    { eventType: 'company.restore' },
    ...COMPANY_PROPERTIES.map((propertyName) => ({ eventType: 'company.propertyChange', propertyName })),
  ] satisfies WebhookSubscriptionSpec[],
} as const;

/** Properties whose change moves a record in the index (other propertyChange events are ignored). */
export const INDEXED_PROPERTIES: Record<'contact' | 'company', ReadonlySet<string>> = {
  contact: new Set(CONTACT_PROPERTIES),
  company: new Set(COMPANY_PROPERTIES),
};

export interface SandboxWebhookTarget {
  /** The emulator's base URL. */
  baseUrl: string;
  appId: number;
  developerApiKey: string;
  /** Where the emulator posts events: `<public URL>/webhooks/hubspot`. */
  targetUrl: string;
}

/**
 * Points the app's webhooks at Spokes and adds the missing subscriptions (reactivating
 * paused ones). Idempotent: run it at every sandbox start.
 */
export async function configureSandboxWebhooks(target: SandboxWebhookTarget): Promise<{ created: number; activated: number }> {
  const client = new Client({ developerApiKey: target.developerApiKey, basePath: target.baseUrl, numberOfApiCallRetries: 0 });
  await client.webhooks.settingsApi.configure(target.appId, {
    targetUrl: target.targetUrl,
    throttling: { maxConcurrentRequests: HUBSPOT_WEBHOOKS.maxConcurrentRequests },
  });
  const existing = (await client.webhooks.subscriptionsApi.getAll(target.appId)).results;
  let created = 0;
  let activated = 0;
  for (const wanted of HUBSPOT_WEBHOOKS.subscriptions) {
    const found = existing.find(
      (s) => s.eventType === wanted.eventType && (s.propertyName ?? undefined) === ('propertyName' in wanted ? wanted.propertyName : undefined),
    );
    if (!found) {
      await client.webhooks.subscriptionsApi.create(target.appId, { ...wanted, active: true } as never);
      created++;
    } else if (!found.active) {
      await client.webhooks.subscriptionsApi.update(Number(found.id), target.appId, { active: true });
      activated++;
    }
  }
  return { created, activated };
}
