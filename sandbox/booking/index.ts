/**
 * Booking emulators (issue 14): Cal.com and immedio. Each is started on its own port and
 * returns `{ url, info(), close(), … }`; see docs/sandbox/booking.md.
 */
export { startCalcomSandbox, buildCalcomApp, calcomSignature, CALCOM_WEBHOOK_VERSION, EVENT_TYPES_API_VERSION } from './calcom/index.ts';
export type { CalcomSandbox, CalcomSandboxInfo } from './calcom/index.ts';
export { startImmedioSandbox, buildImmedioApp, immedioSignature, IMMEDIO_SIGNATURE_HEADER, IMMEDIO_MAX_WEBHOOKS } from './immedio/index.ts';
export type { ImmedioSandbox, ImmedioSandboxInfo } from './immedio/index.ts';
export type { BookingSandbox, BookingSandboxInfo, CreateBookingInput, RescheduleBookingInput, CancelBookingInput } from './core/sandbox.ts';
export type { BookingSandboxOptions, HostSeed, EventTypeSeed, WebhookSeed } from './core/options.ts';
export type { DbBooking, DbEventType, DbHost } from './core/booking-store.ts';
export type { DeliveryRecord } from './core/deliveries.ts';
export type { Faults } from './core/faults.ts';
export type { Subscription } from './core/subscriptions.ts';
