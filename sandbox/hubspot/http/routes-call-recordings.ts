/**
 * Playing a call's recording on a record page (reference §11, "Call recordings
 * and transcripts" on developers.hubspot.com). A call logged by a calling app
 * with `hs_call_external_id`, `hs_call_external_account_id`, `hs_call_app_id`
 * and `hs_call_source` = `INTEGRATIONS_PLATFORM`, whose app registered a
 * `urlToRetrieveAuthedRecording`, is played through that URL: HubSpot calls it
 * with `%s` replaced by the external id and `externalAccountId` and `appId` as
 * query parameters, and plays the `authenticatedUrl` of the JSON answer. Other
 * calls play their `hs_call_recording_url` as it is.
 *
 * Where HubSpot's own player fetches from is internal to HubSpot: here the
 * page's player points at `/contacts/{portalId}/calls/{callId}/recording`
 * (a signed-in user of the portal only), which asks the app and redirects to
 * the answer. UNCONFIRMED: whether HubSpot signs this request — it is assumed
 * signed like its other requests to apps (X-HubSpot-Signature-v3 with the app's
 * client secret over `GET` + URL + empty body + timestamp, §10.2) — and how
 * long it waits (5 s here, as for webhooks).
 */
import type { FastifyInstance } from 'fastify';
import type { DbRecord } from '../model/object-store.ts';
import type { Portal } from '../model/portal.ts';
import type { SandboxApp, SandboxState } from '../model/sandbox-state.ts';
import { html, page } from '../pages/layout.ts';
import { signatureV3 } from '../webhooks/signature.ts';
import type { SandboxContext } from './context.ts';
import { currentUser } from './routes-oauth-authorize.ts';

const APP_TIMEOUT_MS = 5_000;

/** The calling app HubSpot asks for this call's recording, when the call and the app qualify. */
export function authedRecordingApp(state: SandboxState, record: DbRecord): SandboxApp | undefined {
  const p = record.properties;
  if (p.hs_call_source !== 'INTEGRATIONS_PLATFORM' || !p.hs_call_external_id || !p.hs_call_app_id) return undefined;
  const app = state.apps.get(Number(p.hs_call_app_id));
  return app?.recording?.urlToRetrieveAuthedRecording ? app : undefined;
}

/** What a record page's player plays for a call: the app-authenticated path, or the stored URL. */
export function recordingSource(state: SandboxState, portal: Portal, record: DbRecord): string | undefined {
  if (authedRecordingApp(state, record)) return `/contacts/${portal.portalId}/calls/${record.id}/recording`;
  return record.properties.hs_call_recording_url || undefined;
}

export function registerCallRecordingRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: { portalId: string; callId: string } }>('/contacts/:portalId/calls/:callId/recording', async (request, reply) => {
    const user = currentUser(ctx, request);
    const problem = (status: number, title: string, message: string) => {
      reply.code(status).type('text/html; charset=utf-8');
      return page({
        title,
        body: html`<section class="card narrow error"><h1>${title}</h1><p>${message}</p></section>`,
        signedInAs: { email: user.email, name: `${user.firstName} ${user.lastName}` },
      });
    };
    const portal = ctx.state.portal(Number(request.params.portalId));
    if (!portal || !user.portalIds.includes(portal.portalId)) return problem(404, 'Page not found', "This page doesn't exist.");
    const record = /^\d+$/.test(request.params.callId) ? portal.store('calls').get(Number(request.params.callId)) : undefined;
    if (!record || record.archived) return problem(404, 'Call not found', "This call doesn't exist or was deleted.");
    const target = authedRecordingApp(ctx.state, record);
    if (!target) {
      const stored = record.properties.hs_call_recording_url;
      return stored ? reply.redirect(stored, 302) : problem(404, 'No recording', 'This call has no recording.');
    }
    const p = record.properties;
    const url = new URL(target.recording!.urlToRetrieveAuthedRecording.replace('%s', encodeURIComponent(p.hs_call_external_id!)));
    url.searchParams.set('externalAccountId', p.hs_call_external_account_id ?? String(portal.portalId));
    url.searchParams.set('appId', String(target.appId));
    // Wall-clock time, as the webhook dispatcher signs: the receiver compares it with its own clock.
    const timestamp = Date.now();
    let answer: unknown;
    let status = 0;
    try {
      const res = await fetch(url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(APP_TIMEOUT_MS),
        headers: {
          accept: 'application/json',
          'x-hubspot-signature-v3': signatureV3(target.clientSecret, 'GET', url.toString(), '', timestamp),
          'x-hubspot-request-timestamp': String(timestamp),
        },
      });
      status = res.status;
      answer = res.ok ? await res.json() : undefined;
    } catch {
      answer = undefined;
    }
    const authenticatedUrl = (answer as { authenticatedUrl?: unknown } | undefined)?.authenticatedUrl;
    if (typeof authenticatedUrl !== 'string' || !/^https?:\/\//.test(authenticatedUrl)) {
      return problem(502, 'Recording unavailable', `${target.name} did not provide this call's recording${status ? ` (HTTP ${status})` : ''}.`);
    }
    return reply.redirect(authenticatedUrl, 302);
  });
}
