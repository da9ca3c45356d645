/**
 * immedio emulator: meeting types (面談タイプ), bookings made through /sandbox controls and
 * booking webhooks to at most 3 URLs. immedio publishes no API and no webhook body, so the body
 * and its signature are this emulator's definition (docs/sandbox/booking.md "immedio").
 */
import { randomUUID } from 'node:crypto';
import { buildBookingApp, type BookingSystem } from '../core/app.ts';
import type { BookingSandboxOptions, EventTypeSeed } from '../core/options.ts';
import { startBookingSandbox, type BookingSandbox, type BookingSandboxInfo } from '../core/sandbox.ts';
import { immedioBookingBody, immedioHeaders, IMMEDIO_SIGNATURE_HEADER } from './payload.ts';

export { immedioSignature, IMMEDIO_SIGNATURE_HEADER } from './payload.ts';

/** `GET /sandbox/info` of the immedio emulator. */
export interface ImmedioSandboxInfo extends BookingSandboxInfo {
  system: 'immedio';
  /** immedio accepts at most 3 webhook URLs. */
  maxWebhooks: number;
  signatureHeader: string;
}

export type ImmedioSandbox = BookingSandbox<ImmedioSandboxInfo>;

/** "Webhook URL登録: 通知を受信するWebhook URLを最大3つまで登録できます" (docs.immedio.io, Webhook連携). */
export const IMMEDIO_MAX_WEBHOOKS = 3;

const DEFAULT_MEETING_TYPES: EventTypeSeed[] = [
  { id: 2001, slug: 'initial-meeting', title: '初回商談', length: 30, locations: ['integrations:google:meet'] },
  { id: 2002, slug: 'product-demo', title: '製品デモ', length: 60, locations: ['integrations:zoom'] },
  { id: 2003, slug: 'onsite-meeting', title: '訪問商談', length: 60, locations: ['東京都千代田区丸の内1-1-1'] },
];

const TRIGGERS = ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'] as const;

export const immedioSystem: BookingSystem = {
  name: 'immedio',
  rules: { triggers: TRIGGERS, defaultTriggers: TRIGGERS, max: IMMEDIO_MAX_WEBHOOKS },
  defaultEventTypes: DEFAULT_MEETING_TYPES,
  store: {
    newUid: randomUUID,
    title: (et, _host, attendee) => `${et.title}: ${attendee.company ? `${attendee.company} ` : ''}${attendee.name}`,
  },
  format: { headers: immedioHeaders },
  body: immedioBookingBody,
  info: () => ({ maxWebhooks: IMMEDIO_MAX_WEBHOOKS, signatureHeader: IMMEDIO_SIGNATURE_HEADER }),
};

/** Builds the emulator without listening (for app.inject). */
export const buildImmedioApp = (opts: Omit<BookingSandboxOptions, 'apiKey'> = {}) => buildBookingApp(immedioSystem, opts);

export function startImmedioSandbox(opts: Omit<BookingSandboxOptions, 'apiKey'> = {}): Promise<ImmedioSandbox> {
  return startBookingSandbox<ImmedioSandboxInfo>(immedioSystem, opts);
}
