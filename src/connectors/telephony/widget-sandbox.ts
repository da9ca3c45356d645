/**
 * Sandbox mode: the calling widget is registered with the HubSpot emulator's
 * Spokes app at every start — ready for every user — so that after `npm start`
 * any contact record in the emulator shows it (C1, X1), with the recording URL
 * HubSpot asks for fresh recording links (routes-recordings.ts). A start brings the
 * registered URL up to date (Spokes' address may have changed; older versions
 * put a key in it); other settings an admin changed are kept.
 */
import type { TelephonyServices } from './context.ts';
import { CALLING_DEFAULTS, recordingUrlTemplate } from '../../hubspot/calling-settings.ts';
import { callingSettingsService } from '../../hubspot/calling-settings-routes.ts';
import { agentWidgetUrl } from './agent-auth.ts';

export async function registerSandboxWidget(services: TelephonyServices): Promise<void> {
  try {
    await register(services);
  } catch (err) {
    // A convenience of sandbox mode: Spokes runs without it, and the admin page can register the widget.
    services.log.warn({ err: (err as Error).message }, 'could not register the calling widget with the HubSpot sandbox');
  }
}

async function register(services: TelephonyServices): Promise<void> {
  const calling = callingSettingsService(services);
  // Credentials an admin saved point at a real app: leave its registration to them.
  if ((await calling.credentials())?.source !== 'sandbox') return;
  const url = agentWidgetUrl(services.hubspot.publicUrl);
  const current = await calling.show();
  if (!current) await calling.register({ ...CALLING_DEFAULTS, url, isReady: true });
  else if (current.url !== url) await calling.update({ url });
  // Where HubSpot asks for a fresh recording link (registered with the widget; a start after an upgrade adds it).
  else await calling.setRecordingUrl(recordingUrlTemplate(services.hubspot.publicUrl));
  services.log.info({ url }, 'calling widget registered with the HubSpot sandbox');
}
