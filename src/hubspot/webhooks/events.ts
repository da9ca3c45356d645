/**
 * The webhook delivery body (reference §10.1): a JSON array of events. Ids are
 * numbers on the wire (strings accepted too) and kept as strings, like record
 * ids everywhere else in Spokes. Fields Spokes does not use are dropped.
 */
import { z } from 'zod';

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

export const webhookEvent = z.object({
  eventId: id,
  subscriptionId: id.optional(),
  portalId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  appId: id.optional(),
  /** ms since the epoch; order of delivery is not order of occurrence (§10.1). */
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1).max(100),
  attemptNumber: z.number().int().nonnegative().optional(),
  objectId: id,
  /** `object.*` events: `0-1` contacts, `0-2` companies. */
  objectTypeId: z.string().max(20).optional(),
  propertyName: z.string().max(200).optional(),
  propertyValue: z.string().max(70_000).optional(),
  changeSource: z.string().max(100).optional(),
  /** associationChange events (field set UNCONFIRMED in §10.1). */
  associationType: z.string().max(100).optional(),
  fromObjectId: id.optional(),
  toObjectId: id.optional(),
  associationRemoved: z.boolean().optional(),
  isPrimaryAssociation: z.boolean().optional(),
  /** merge events. */
  primaryObjectId: id.optional(),
  mergedObjectIds: z.array(id).max(1_000).optional(),
  newObjectId: id.optional(),
});

export type WebhookEvent = z.output<typeof webhookEvent>;

/** HubSpot sends up to 100 events per request (§10.1); a little room for other senders. */
export const webhookBatch = z.array(webhookEvent).min(1, 'a delivery holds at least one event').max(1_000);
