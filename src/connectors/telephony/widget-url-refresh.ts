/**
 * Revoking agent sign-ins changes the widget key, and with it the widget URL
 * registered in HubSpot's calling settings (C1): until that registration holds
 * the new key, the widget inside HubSpot cannot sign anyone in. After a
 * rotation this puts the new key into the registered URL, through the same
 * calling-settings service as the admin page and the CLI. A failure is
 * reported to the admin (the rotation itself has happened and stands).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../../services.ts';
import { callingSettingsService } from '../../hubspot/calling-settings-routes.ts';

/** What the rotation did to HubSpot's calling settings, as the admin page shows it. */
export interface ApiWidgetUrlRefresh {
  status: 'updated' | 'failed' | 'not_registered' | 'no_app' | 'other_url';
  message: string;
  /** The URL HubSpot's calling settings now hold (status `updated`). */
  url?: string;
}

const BY_HAND = 'put the new calling widget URL into HubSpot\'s calling settings yourself (HubSpot page → Calling widget, or spokes calling-settings update --url …)';

export async function refreshRegisteredWidgetUrl(services: Services, widgetKey: string, log: FastifyBaseLogger): Promise<ApiWidgetUrlRefresh> {
  const calling = callingSettingsService(services);
  try {
    const creds = await calling.credentials();
    if (!creds) return { status: 'no_app', message: `No HubSpot app is saved for the calling widget in Spokes: if you registered it elsewhere, ${BY_HAND}.` };
    const current = await calling.show();
    if (!current) return { status: 'not_registered', message: `HubSpot app ${creds.appId} has no calling settings: nothing to update.` };
    const url = withWidgetKey(current.url, widgetKey);
    if (!url) return { status: 'other_url', message: `HubSpot app ${creds.appId}'s calling settings hold ${current.url}, which is not a Spokes widget URL: left as it is.` };
    if (url !== current.url) await calling.update({ url });
    log.info({ appId: creds.appId }, 'calling settings updated with the new widget key');
    return { status: 'updated', url, message: `HubSpot app ${creds.appId}'s calling settings now hold the new widget URL.` };
  } catch (err) {
    const reason = (err as Error).message;
    log.warn({ err: reason }, 'could not put the new widget URL into HubSpot\'s calling settings');
    return { status: 'failed', message: `The new widget URL could not be saved in HubSpot's calling settings (${reason.replace(/\.$/, '')}): the widget in HubSpot stops signing in until you ${BY_HAND}.` };
  }
}

/**
 * The registered URL with the new key, its address otherwise kept (it may name another host than
 * SPOKES_PUBLIC_URL, e.g. behind a proxy); null when it carries no widget key, so is not Spokes'.
 */
function withWidgetKey(registered: string, widgetKey: string): string | null {
  let url: URL;
  try {
    url = new URL(registered);
  } catch {
    return null;
  }
  if (!url.searchParams.has('key')) return null;
  url.searchParams.set('key', widgetKey);
  return url.toString();
}
