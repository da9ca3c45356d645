/**
 * `GET /api/audit`: the audit log, newest first, filtered and keyset-paged
 * (`?connector=&connection=&object=&outcome=&since=&until=&cursor=&limit=`).
 * Who may call: a signed-in admin (every `/api/` route; src/web/admin).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../web/errors.ts';
import { ValidationError } from '../errors.ts';
import type { AuditLog } from './audit-log.ts';
import { AUDIT_OUTCOMES } from './schema.ts';

const name = z.string().min(1).max(100);
export const auditQuery = z
  .object({
    connector: name.optional(),
    connection: name.optional(),
    object: name.optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    since: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2026-05-01T00:00:00Z' }).optional(),
    until: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2026-05-02T00:00:00Z' }).optional(),
    cursor: z.string().min(1).max(300).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export function registerAuditRoutes(app: FastifyInstance, audit: AuditLog): void {
  app.get('/api/audit', async (request) => {
    const q = parseInput(auditQuery, request.query, 'query');
    const since = q.since ? new Date(q.since) : undefined;
    const until = q.until ? new Date(q.until) : undefined;
    if (since && until && since >= until)
      throw new ValidationError('query.since: must be before until', [{ field: 'query.since', message: 'must be before until' }]);
    return audit.query({ ...q, since, until });
  });
}
