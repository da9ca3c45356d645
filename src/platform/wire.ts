/**
 * The wire types of the platform's admin API (connections, overview, audit
 * log), as zod schemas: the server builds its answers to these types and the
 * admin UI validates what it receives with the same schemas — one copy, no
 * drift. This module imports nothing but zod, so the UI bundle can import it.
 */
import { z } from 'zod';

export const apiFieldProblem = z.object({ field: z.string(), message: z.string() });

export const apiConnectionState = z.enum(['connected', 'enabled', 'disabled', 'needs_reauthorization', 'error']);

export const apiConnection = z.object({
  id: z.string(),
  connector: z.string(),
  connectorName: z.string(),
  label: z.string(),
  state: apiConnectionState,
  /** What the admin chose; the connection returns to it once its problem is repaired. */
  choice: z.enum(['connected', 'enabled', 'disabled']),
  reason: z.string().nullable(),
  settings: z.unknown().nullable(),
  settingsProblems: z.array(apiFieldProblem),
  info: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string().nullable(),
  openErrors: z.number().int(),
});
export type ApiConnection = z.infer<typeof apiConnection>;

export const apiConnectorStatus = z.object({
  health: z.enum(['ok', 'degraded', 'down']),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const apiConnectionDetail = apiConnection.extend({
  /** The connector's own report; null when it could not be asked (then `statusError` says why). */
  status: apiConnectorStatus.nullable(),
  statusError: z.string().nullable(),
  syncErrors: z.array(
    z.object({
      id: z.number().int(),
      category: z.string(),
      objectType: z.string().nullable(),
      recordId: z.string().nullable(),
      reason: z.string(),
      occurrences: z.number().int(),
      occurredAt: z.string(),
      retryable: z.boolean(),
    }),
  ),
});
export type ApiConnectionDetail = z.infer<typeof apiConnectionDetail>;

export const apiConnectionList = z.object({ connections: z.array(apiConnection) });

export const apiOverview = z.object({
  hubspot: z.object({
    state: z.enum(['connected', 'needs_reauthorization', 'not_connected']),
    accountName: z.string().nullable(),
    portalId: z.number().nullable(),
    reason: z.string().nullable(),
  }),
  connectors: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      features: z.array(z.string()),
      connectionsAllowed: z.enum(['one', 'many']).nullable(),
      /** Not on the connections table yet (phase 2 of issue 11 moves it): its page shows its state. */
      managedOnItsPage: z.boolean(),
      connections: z.array(apiConnection),
      /** Newest write in the audit log, ISO; null when it never wrote. */
      lastWriteAt: z.string().nullable(),
    }),
  ),
});
export type ApiOverview = z.infer<typeof apiOverview>;

export const apiAuditOutcome = z.enum(['succeeded', 'failed', 'skipped']);

export const apiAuditEntry = z.object({
  id: z.number().int(),
  occurredAt: z.string(),
  connector: z.string(),
  connectionId: z.string().nullable(),
  target: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  operation: z.string(),
  causeType: z.string(),
  cause: z.string(),
  idempotencyKey: z.string().nullable(),
  outcome: apiAuditOutcome,
  error: z.string().nullable(),
  actor: z.string().nullable(),
});
export type ApiAuditEntry = z.infer<typeof apiAuditEntry>;

export const apiAuditPage = z.object({ entries: z.array(apiAuditEntry), nextCursor: z.string().nullable() });
export type ApiAuditPage = z.infer<typeof apiAuditPage>;
