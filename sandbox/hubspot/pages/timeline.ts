/**
 * The activity timeline of a record page: calls, meetings, tasks and notes,
 * newest first (by `hs_timestamp`), rendered with HubSpot's labels for enumerations.
 */
import type { DbRecord } from '../model/object-store.ts';
import type { Portal } from '../model/portal.ts';
import { html, type SafeHtml } from './layout.ts';
import { phoneLink, type RecordRef } from './page-helpers.ts';

export type EngagementType = 'calls' | 'meetings' | 'tasks' | 'notes';

export interface TimelineEntry {
  type: EngagementType;
  record: DbRecord;
  at: number;
}

export const ENGAGEMENT_TYPES: EngagementType[] = ['calls', 'meetings', 'tasks', 'notes'];

/** Engagements associated with a record, newest first. */
export function timelineOf(portal: Portal, owner: RecordRef): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const type of ENGAGEMENT_TYPES) {
    for (const edge of portal.associations.list(owner.type, owner.id, type)) {
      const record = portal.store(type).get(edge.toId);
      if (!record || record.archived) continue;
      const at = Date.parse(record.properties.hs_timestamp ?? '') || record.createdAt;
      entries.push({ type, record, at });
    }
  }
  return entries.sort((a, b) => b.at - a.at || b.record.id - a.record.id);
}

/** Engagement bodies may hold HTML (§7); the page shows their text only. */
function plainText(value: string | undefined): string {
  return (
    (value ?? '')
      .replace(/<br\s*\/?>/gi, '\n')
      // Block elements end a line, as they do on HubSpot's timeline.
      .replace(/<\/(p|div|li|h[1-6]|blockquote)>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

function label(portal: Portal, type: EngagementType, property: string, value: string | undefined): string {
  if (!value) return '';
  const option = portal.properties.get(type, property)?.options.find((o) => o.value === value);
  return option?.label ?? value;
}

function duration(ms: string | undefined): string {
  const total = Math.round(Number(ms ?? 0) / 1000);
  if (!Number.isFinite(total) || total <= 0) return '0:00';
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function ownerName(portal: Portal, ownerId: string | undefined): string {
  const owner = ownerId ? portal.owners.get(Number(ownerId)) : undefined;
  return owner ? `${owner.firstName} ${owner.lastName}`.trim() : '';
}

function fact(name: string, value: string | SafeHtml): SafeHtml {
  return value === '' ? html`` : html`<span><b>${name}:</b> ${value}</span>`;
}

function body(text: string): SafeHtml {
  return text ? html`<p class="body" style="white-space:pre-wrap">${text}</p>` : html``;
}

/** `recordingSource`: what a call's player plays (default its `hs_call_recording_url`). */
export function renderTimeline(portal: Portal, entries: TimelineEntry[], recordingSource?: (call: DbRecord) => string | undefined): SafeHtml {
  if (entries.length === 0) return html`<p class="muted" data-testid="timeline-empty">No activities yet.</p>`;
  return html`<ol class="timeline" data-testid="timeline">${entries.map((e) => renderEntry(portal, e, recordingSource))}</ol>`;
}

function renderEntry(portal: Portal, entry: TimelineEntry, recordingSource?: (call: DbRecord) => string | undefined): SafeHtml {
  const p = entry.record.properties;
  const common = html`data-engagement-type="${entry.type}" data-engagement-id="${entry.record.id}"`;
  const owner = fact('Owner', ownerName(portal, p.hubspot_owner_id));
  switch (entry.type) {
    case 'calls': {
      const from = p.hs_call_from_number
        ? phoneLink(p.hs_call_from_number, { property: 'hs_call_from_number', objectTypeId: '0-48', objectId: entry.record.id })
        : '';
      const to = p.hs_call_to_number ? phoneLink(p.hs_call_to_number, { property: 'hs_call_to_number', objectTypeId: '0-48', objectId: entry.record.id }) : '';
      const recording = recordingSource ? recordingSource(entry.record) : p.hs_call_recording_url;
      return html`<li ${common}><span class="when">${when(entry.at)}</span><div class="kind">Call</div>
        <strong>${p.hs_call_title ?? 'Call'}</strong>
        <div class="facts">${fact('Direction', label(portal, 'calls', 'hs_call_direction', p.hs_call_direction))}${fact('Status', label(portal, 'calls', 'hs_call_status', p.hs_call_status))}${fact('Outcome', label(portal, 'calls', 'hs_call_disposition', p.hs_call_disposition))}${fact('Duration', duration(p.hs_call_duration))}${fact('From', from)}${fact('To', to)}${owner}</div>
        ${body(plainText(p.hs_call_body))}
        ${recording ? html`<div class="recording"><audio controls preload="none" src="${recording}"></audio> <a href="${recording}" data-testid="recording-link">Recording</a></div>` : ''}
      </li>`;
    }
    case 'meetings':
      return html`<li ${common}><span class="when">${when(entry.at)}</span><div class="kind">Meeting</div>
        <strong>${p.hs_meeting_title ?? 'Meeting'}</strong>
        <div class="facts">${fact('Outcome', label(portal, 'meetings', 'hs_meeting_outcome', p.hs_meeting_outcome))}${fact('Starts', p.hs_meeting_start_time ? when(Date.parse(p.hs_meeting_start_time)) : '')}${fact('Ends', p.hs_meeting_end_time ? when(Date.parse(p.hs_meeting_end_time)) : '')}${fact('Location', p.hs_meeting_location ?? '')}${owner}</div>
        ${body(plainText(p.hs_meeting_body))}
      </li>`;
    case 'tasks':
      return html`<li ${common}><span class="when">Due ${when(entry.at)}</span><div class="kind">Task</div>
        <strong>${p.hs_task_subject ?? 'Task'}</strong>
        <div class="facts">${fact('Status', label(portal, 'tasks', 'hs_task_status', p.hs_task_status))}${fact('Priority', label(portal, 'tasks', 'hs_task_priority', p.hs_task_priority))}${fact('Type', label(portal, 'tasks', 'hs_task_type', p.hs_task_type))}${owner}</div>
        ${body(plainText(p.hs_task_body))}
      </li>`;
    case 'notes':
      return html`<li ${common}><span class="when">${when(entry.at)}</span><div class="kind">Note</div>
        <div class="facts">${owner}</div>${body(plainText(p.hs_note_body))}
      </li>`;
  }
}
