/**
 * The record page as a calling-extensions host (SPEC C1–C5, X1): the calling
 * apps installed in the portal (their calling settings, §11) and the
 * signed-in user's identity go into the page as JSON; `calling-host.js` embeds
 * the chosen app's widget through the SDK's own `IFrameManager` and plays
 * HubSpot's side of the protocol (shared/reference/calling-extensions.md §5).
 * Differences from HubSpot are listed in docs/sandbox/hubspot.md ("Calling host").
 */
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import type { SandboxState, SandboxUser } from '../model/sandbox-state.ts';
import { html, SafeHtml } from './layout.ts';
import type { RecordPageExtensions } from './record-page.ts';

export const CALLING_ASSETS = { sdk: '/static/calling/calling-extensions-sdk.esm.js', host: '/static/calling/calling-host.js' };

/** HubSpot's per-browser settings override for local testing (seed 004). */
export const CALLING_OVERRIDE_KEY = 'LocalSettings:Calling:CallingExtensions';

export interface CallingProvider {
  appId: number;
  name: string;
  url: string;
  width: number;
  height: number;
  isReady: boolean;
  supportsCustomObjects: boolean;
  supportsInboundCalling: boolean;
  usesCallingWindow: boolean;
  usesRemote: boolean;
}

/** Apps installed in the portal that have calling settings, in app id order. Not-ready ones too: the page decides (override). */
export function callingProviders(state: SandboxState, portalId: number): CallingProvider[] {
  const out: CallingProvider[] = [];
  for (const app of [...state.apps.values()].sort((a, b) => a.appId - b.appId)) {
    if (!app.calling || !state.install(app.appId, portalId)) continue;
    const { createdAt: _c, updatedAt: _u, ...settings } = app.calling;
    out.push({ appId: app.appId, ...settings });
  }
  return out;
}

const OBJECT_TYPE_NAMES: Partial<Record<ObjectTypeName, string>> = { contacts: 'CONTACT', companies: 'COMPANY', deals: 'DEAL' };

export interface CallingHostInput {
  state: SandboxState;
  portal: Portal;
  user: SandboxUser;
  ownerId?: number;
  type: ObjectTypeName;
  record: DbRecord;
}

/** `<head>` script and the widget panel of one record page. */
export function callingHostExtensions(input: CallingHostInput): RecordPageExtensions {
  const { state, portal, user, ownerId, type, record } = input;
  const p = record.properties;
  const config = {
    portalId: portal.portalId,
    userId: user.userId,
    ownerId: ownerId ?? null,
    objectTypeId: OBJECT_TYPES[type].typeId,
    objectId: record.id,
    objectType: OBJECT_TYPE_NAMES[type] ?? type.toUpperCase(),
    countryCodes: { phone: p.hs_calculated_phone_number_country_code || null, mobilephone: p.hs_calculated_mobile_number_country_code || null },
    defaultRegion: portal.settings.defaultRegion,
    providers: callingProviders(state, portal.portalId),
    overrideKey: CALLING_OVERRIDE_KEY,
    sdkUrl: CALLING_ASSETS.sdk,
    api: `/calling-host/api/${portal.portalId}`,
  };
  // JSON inside <script>: `<` escaped so no value can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return {
    head: html`<style>${new SafeHtml(CSS)}</style>
<script type="application/json" id="calling-host-config">${new SafeHtml(json)}</script>
<script type="module" src="${CALLING_ASSETS.host}"></script>`,
    widgetPanel: html`<section class="card calling" id="calling-panel" data-testid="calling-panel" hidden>
  <header class="calling-head">
    <span class="calling-title"><span class="calling-icon" aria-hidden="true">&#x260E;</span> Call</span>
    <span class="calling-status" data-testid="calling-status" data-state="loading">Loading…</span>
  </header>
  <label class="calling-from" data-testid="calling-provider-picker" hidden>Call from <select id="calling-provider" data-testid="calling-provider"></select></label>
  <div id="calling-frame" class="calling-frame" data-testid="calling-frame"></div>
  <button type="button" class="calling-toggle" id="calling-toggle" data-testid="calling-toggle" hidden>Show calling widget</button>
</section>
<div class="calling-alerts" id="calling-alerts" data-testid="calling-alerts" aria-live="assertive"></div>`,
  };
}

const CSS = `
.calling{padding:0;overflow:hidden}
.calling [hidden]{display:none!important}
.calling-head{display:flex;align-items:center;justify-content:space-between;padding:10px 16px;border-bottom:1px solid #dfe3eb;background:#f5f8fa}
.calling-title{font-weight:600;color:#2d3e50}.calling-icon{color:#ff7a59;margin-right:4px}
.calling-status{font-size:12px;border-radius:10px;padding:2px 10px;background:#eaf0f6;color:#516f90}
.calling-status[data-state=ready]{background:#e5f8f6;color:#00756a}.calling-status[data-state=logged-out]{background:#fef8f0;color:#b36200}
.calling-status[data-state=error]{background:#fde8e9;color:#c93b3b}.calling-status[data-state=call]{background:#fff1ee;color:#d9532e}
.calling-from{display:flex;gap:8px;align-items:center;padding:8px 16px;font-size:13px;color:#516f90;border-bottom:1px solid #eaf0f6}
.calling-from select{flex:1;font:inherit;padding:4px 6px;border:1px solid #cbd6e2;border-radius:3px}
.calling-frame{display:flex;justify-content:center;background:#fff}
.calling-frame iframe{border:0;display:block;max-width:100%}
.calling-frame[hidden]{display:none}
.calling-toggle{all:unset;display:block;width:100%;text-align:center;padding:10px;color:#0091ae;cursor:pointer;font-size:13px}
.calling-toggle:hover{background:#f5f8fa}
.calling-alerts{position:fixed;top:56px;left:50%;transform:translateX(-50%);z-index:1000;display:flex;flex-direction:column;gap:8px;width:min(560px,calc(100vw - 32px))}
.calling-alert{display:flex;gap:12px;align-items:flex-start;background:#fff;border:1px solid #f2545b;border-left-width:4px;border-radius:4px;padding:12px 14px;box-shadow:0 2px 8px rgba(45,62,80,.18);font-size:14px}
.calling-alert.info{border-color:#0091ae}
.calling-alert strong{display:block;color:#2d3e50;margin-bottom:2px}
.calling-alert p{margin:0;color:#33475b}
.calling-alert button{all:unset;cursor:pointer;color:#7c98b6;font-size:18px;line-height:1;margin-left:auto}
a.phone[data-calling=on]::after{content:" \\260E";color:#ff7a59;font-size:12px}
`;
