/** The booking connector's admin API (src/connectors/booking/admin-routes.ts) and the connection routes it uses. */
import { z } from 'zod';
import { api } from '../../shared/api.ts';

const source = z.enum(['calcom', 'immedio']);
export const sourcesSchema = z.object({
  connectionId: z.string().nullable(),
  sources: z.array(z.object({ source, name: z.string(), configured: z.boolean(), webhookUrl: z.string().nullable(), signatureHeader: z.string() })),
});
export const meetingTypeSchema = z.object({
  source,
  eventTypeId: z.string(),
  name: z.string(),
  slug: z.string(),
  syncEnabled: z.boolean(),
  createContacts: z.boolean(),
  titleTemplate: z.string(),
  bodyTemplate: z.string(),
});
export type MeetingType = z.infer<typeof meetingTypeSchema>;
const typesSchema = z.object({
  meetingTypes: z.array(meetingTypeSchema),
  placeholders: z.record(z.string(), z.string()),
  defaults: z.object({ titleTemplate: z.string(), bodyTemplate: z.string() }),
});
const previewSchema = z.object({ title: z.string(), bodyLines: z.array(z.string()) });
const missing = z.array(z.object({ objectType: z.string(), name: z.string() }));
export const syncSchema = z.object({
  contactProperties: z.array(z.string()),
  companyProperties: z.array(z.string()),
  testResult: z.object({ at: z.string(), ok: z.boolean(), missing }).nullable(),
  running: z.object({ since: z.string(), mode: z.string().nullable() }).nullable(),
  lastRun: z
    .object({
      mode: z.string(),
      trigger: z.string(),
      startedAt: z.string(),
      finishedAt: z.string(),
      contacts: z.number(),
      companies: z.number(),
      removed: z.number(),
      requests: z.number(),
      error: z.string().optional(),
    })
    .nullable(),
  nextIncrementalAt: z.string(),
  nextNightlyAt: z.string(),
  manual: z.object({ allowed: z.boolean(), nextAllowedAt: z.string().nullable(), reason: z.string().nullable() }),
  synced: z.object({ contacts: z.number(), companies: z.number() }),
  routingToken: z.object({ createdAt: z.string() }).nullable(),
});
const person = z.object({ name: z.string(), email: z.string() });
export const bookingsSchema = z.object({
  scope: z.enum(['own', 'all']),
  bookings: z.array(
    z.object({
      source,
      uid: z.string(),
      state: z.enum(['scheduled', 'rescheduled', 'cancelled']),
      title: z.string(),
      meetingType: z.object({ id: z.string(), name: z.string() }),
      start: z.string(),
      host: person,
      attendee: person,
      hubspotMeetingId: z.string().nullable(),
    }),
  ),
});
export type BookingList = z.infer<typeof bookingsSchema>;
export type SyncView = z.infer<typeof syncSchema>;
const connectionSchema = z.object({ id: z.string(), state: z.string() }).passthrough();

export const bookingApi = {
  sources: () => api('GET', '/api/booking/sources', { schema: sourcesSchema }),
  connect: (input: { calcomSecret?: string; immedioSecret?: string }) =>
    api('POST', '/api/connections', { body: { connector: 'booking', input }, schema: connectionSchema }),
  enable: (id: string) => api('POST', `/api/connections/${encodeURIComponent(id)}/enable`, { schema: connectionSchema }),
  disconnect: (id: string) => api('DELETE', `/api/connections/${encodeURIComponent(id)}`),
  types: () => api('GET', '/api/booking/meeting-types', { schema: typesSchema }),
  updateType: (t: Pick<MeetingType, 'source' | 'eventTypeId'>, change: Partial<MeetingType>) =>
    api('PATCH', `/api/booking/meeting-types/${t.source}/${encodeURIComponent(t.eventTypeId)}`, { body: change, schema: meetingTypeSchema }),
  preview: (titleTemplate: string, bodyTemplate: string, src: 'calcom' | 'immedio', meetingTypeName: string) =>
    api('POST', '/api/booking/meeting-types/preview', { body: { titleTemplate, bodyTemplate, source: src, meetingTypeName }, schema: previewSchema }),
  sync: () => api('GET', '/api/booking/property-sync', { schema: syncSchema }),
  saveLists: (contactProperties: string[], companyProperties: string[]) =>
    api('PUT', '/api/booking/property-sync', { body: { contactProperties, companyProperties }, schema: syncSchema }),
  test: () => api('POST', '/api/booking/property-sync/test', { schema: z.object({ at: z.string(), ok: z.boolean(), missing }) }),
  run: () => api('POST', '/api/booking/property-sync/run', { schema: z.object({ queued: z.boolean() }) }),
  bookings: () => api('GET', '/api/booking/bookings', { schema: bookingsSchema }),
  rotateToken: () => api('POST', '/api/booking/routing-token', { schema: z.object({ token: z.string(), createdAt: z.string() }) }),
  removeToken: () => api('DELETE', '/api/booking/routing-token'),
};
