/**
 * Record pages (`/contacts/{portalId}/record/0-1/{id}`, `…/0-2/{id}`, deals, calls `…/0-48/{id}`):
 * the record's properties, associated records as links, and the activity timeline.
 * `RecordPageExtensions` is the seam a later issue uses to embed the calling widget
 * (a panel above the timeline) and scripts (click-to-dial on `a.phone` elements).
 */
import type { DbRecord } from '../model/object-store.ts';
import { OBJECT_TYPES, type ObjectTypeName } from '../model/object-types.ts';
import type { Portal } from '../model/portal.ts';
import { formatTimestamp } from '../time-format.ts';
import { html, page, type SafeHtml } from './layout.ts';
import { phoneLink, recordUrl } from './page-helpers.ts';
import { renderTimeline, timelineOf } from './timeline.ts';

export interface RecordPageExtensions {
  /** Markup for `<head>` (scripts, styles). */
  head?: SafeHtml;
  /** Content of the widget panel (e.g. the calling widget iframe). */
  widgetPanel?: SafeHtml;
}

export interface RecordPageInput {
  portal: Portal;
  type: ObjectTypeName;
  record: DbRecord;
  signedInAs: { email: string; name: string; ownerId?: number };
  url: string;
  extensions?: RecordPageExtensions;
  /** What a call's player plays (routes-call-recordings.ts); default its `hs_call_recording_url`. */
  recordingSource?: (call: DbRecord) => string | undefined;
}

const SUMMARY: Record<string, string[]> = {
  contacts: [
    'email',
    'phone',
    'mobilephone',
    'company',
    'jobtitle',
    'lifecyclestage',
    'hs_lead_status',
    'hubspot_owner_id',
    'city',
    'country',
    'createdate',
    'lastmodifieddate',
  ],
  companies: ['domain', 'phone', 'industry', 'city', 'country', 'numberofemployees', 'lifecyclestage', 'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate'],
  deals: ['amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate'],
  calls: [
    'hs_timestamp',
    'hs_call_direction',
    'hs_call_status',
    'hs_call_duration',
    'hs_call_from_number',
    'hs_call_to_number',
    'hubspot_owner_id',
    'hs_call_external_id',
  ],
};

const PHONE_PROPERTIES = new Set(['phone', 'mobilephone', 'fax']);

export function recordTitle(type: ObjectTypeName, record: DbRecord): string {
  const p = record.properties;
  if (type === 'contacts') return [p.firstname, p.lastname].filter(Boolean).join(' ') || p.email || `Contact ${record.id}`;
  if (type === 'companies') return p.name || p.domain || `Company ${record.id}`;
  if (type === 'deals') return p.dealname || `Deal ${record.id}`;
  if (type === 'calls') return p.hs_call_title || `Call ${record.id}`;
  return `${OBJECT_TYPES[type].singular} ${record.id}`;
}

function displayValue(input: RecordPageInput, name: string, value: string): SafeHtml | string {
  const { portal, type, record } = input;
  if (PHONE_PROPERTIES.has(name)) {
    const e164 = record.properties[name === 'mobilephone' ? 'hs_calculated_mobile_number' : 'hs_calculated_phone_number'];
    return phoneLink(
      value,
      { property: name, objectTypeId: OBJECT_TYPES[type].typeId, objectId: record.id, e164: name === 'fax' ? undefined : e164 },
      portal.settings.defaultRegion,
    );
  }
  if (name === 'hubspot_owner_id') {
    const owner = portal.owners.get(Number(value));
    return owner ? `${owner.firstName} ${owner.lastName} (${owner.email})` : value;
  }
  const definition = portal.properties.get(type, name);
  const option = definition?.options.find((o) => o.value === value);
  return option?.label ?? value;
}

function propertyRows(input: RecordPageInput, names: string[]): SafeHtml {
  const { portal, type, record } = input;
  return html`${names.filter((n) => record.properties[n]).map((name) => html`<tr data-property="${name}"><th>${portal.properties.get(type, name)?.label ?? name}</th><td>${displayValue(input, name, record.properties[name])}</td></tr>`)}`;
}

function associated(input: RecordPageInput): SafeHtml {
  const { portal, type, record } = input;
  const sections = (['companies', 'contacts', 'deals'] as ObjectTypeName[])
    .filter((t) => t !== type)
    .map((target) => {
      const items = portal.associations
        .list(type, record.id, target)
        .map((edge) => ({ edge, other: portal.store(target).get(edge.toId) }))
        .filter((x) => x.other && !x.other.archived);
      if (items.length === 0) return html``;
      return html`<div class="card" data-testid="associated-${target}"><h2>${target.charAt(0).toUpperCase() + target.slice(1)} (${items.length})</h2><ul>
      ${items.map(({ edge, other }) => html`<li><a href="${recordUrl(portal.portalId, OBJECT_TYPES[target].typeId, other!.id)}" data-object-id="${other!.id}">${recordTitle(target, other!)}</a>${edge.types.some((t) => t.label === 'Primary') ? html` <span class="badge">Primary</span>` : ''}</li>`)}
    </ul></div>`;
    });
  return html`${sections}`;
}

export function renderRecordPage(input: RecordPageInput): string {
  const { portal, type, record } = input;
  const info = OBJECT_TYPES[type];
  const summary = SUMMARY[type] ?? [];
  const rest = Object.keys(record.properties)
    .filter((n) => !summary.includes(n))
    .sort();
  const title = recordTitle(type, record);
  const body = html`<div class="record" data-portal-id="${portal.portalId}" data-object-type-id="${info.typeId}" data-object-id="${record.id}">
  <p class="muted small"><a href="/">Sandbox</a> / ${portal.settings.name} / ${info.name}</p>
  <div class="grid">
    <div>
      <section class="card" data-testid="record-summary">
        <h1 data-testid="record-title">${title}</h1>
        <p class="muted small">Record ID ${record.id} · Created ${formatTimestamp(record.createdAt)}</p>
        <table class="props">${propertyRows(input, summary)}</table>
      </section>
      ${associated(input)}
      <details class="card"><summary>All properties (${Object.keys(record.properties).length})</summary><table class="props" data-testid="all-properties">${propertyRows(input, rest)}</table></details>
    </div>
    <div>
      <aside id="widget-slot" class="widget-slot" data-testid="widget-slot" data-portal-id="${portal.portalId}" data-object-type-id="${info.typeId}" data-object-id="${record.id}">${input.extensions?.widgetPanel ?? ''}</aside>
      <section class="card" data-testid="activity"><h2>Activity</h2>${renderTimeline(
        portal,
        type === 'calls'
          ? // A call's own page shows the call as its timeline shows it: notes, outcome, the recording's player.
            [{ type: 'calls', record, at: Date.parse(record.properties.hs_timestamp ?? '') || record.createdAt }]
          : timelineOf(portal, { type, id: record.id }),
        input.recordingSource,
      )}</section>
    </div>
  </div>
</div>`;
  return page({ title, body, signedInAs: input.signedInAs, returnTo: input.url, head: input.extensions?.head });
}
