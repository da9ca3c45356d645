/**
 * The connections admin API. Who may call: a signed-in admin, and on changes
 * the session's CSRF token — every `/api/` route is behind that guard
 * (src/web/admin/require-admin.ts); nothing here is in its public list.
 *
 *   GET    /api/connections[?connector=]     every connection, with its state and open errors
 *   POST   /api/connections                  {connector, input}: connect (400 naming a bad field, nothing stored)
 *   POST   /api/connections/authorize        {connector, connectionId?}: the OAuth authorize URL to open
 *   GET    /api/connections/:id              one, with the connector's status report and open sync errors
 *   POST   /api/connections/:id/enable|disable
 *   DELETE /api/connections/:id[?force=true] disconnect
 *   POST   /api/sync-errors/:id/retry        enqueue the error's retry action; DELETE dismisses it
 *   GET    /api/overview                     HubSpot, every connector and connection (the Overview page)
 */
import type { FastifyInstance } from 'fastify';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../web/errors.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Db } from '../db/open.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { HubSpotService } from '../hubspot/service.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { beginAuthorization } from '../oauth/authorization.ts';
import { auditLog } from '../sync/schema.ts';
import type { Platform } from '../platform/platform.ts';
import type { ApiOverview } from '../platform/wire.ts';
import * as lifecycle from './lifecycle.ts';

export interface ConnectionRoutesDeps {
  platform: Platform;
  db: Db;
  secretBox: SecretBox;
  hubspot: HubSpotService;
  queue: () => JobQueue;
  /** Connectors not on the platform yet (phase 2 of issue 11 moves them): listed on the Overview. */
  legacyConnectors?: readonly { slug: string; name: string; features: readonly string[] }[];
}

const idParams = z.object({ id: z.string().min(1).max(100) });
const errorParams = z.object({ id: z.coerce.number().int().positive() });
const connectBody = z.object({ connector: z.string().min(1).max(40), input: z.unknown().optional() });
const authorizeBody = z.object({ connector: z.string().min(1).max(40), connectionId: z.string().min(1).max(100).optional() });
const listQuery = z.object({ connector: z.string().min(1).max(40).optional() });
const disconnectQuery = z.object({ force: z.enum(['true', 'false']).optional() });

export function registerConnectionRoutes(app: FastifyInstance, deps: ConnectionRoutesDeps): void {
  const { platform } = deps;

  app.get('/api/connections', async (request) => {
    const { connector } = parseInput(listQuery, request.query, 'query');
    return { connections: await lifecycle.list(platform, { connector }) };
  });

  app.post('/api/connections', async (request, reply) => {
    const body = parseInput(connectBody, request.body, 'body');
    if (!platform.connectors.has(body.connector)) throw unknownConnector(platform, body.connector);
    const connection = await lifecycle.connect(platform, body.connector, body.input, { fieldPrefix: 'body.input' });
    return reply.status(201).send(connection);
  });

  app.post('/api/connections/authorize', async (request) => {
    const body = parseInput(authorizeBody, request.body, 'body');
    const connector = platform.connectors.get(body.connector);
    if (!connector) throw unknownConnector(platform, body.connector);
    if (!connector.manifest.oauth)
      throw new ConflictError(`${connector.manifest.name} does not connect through OAuth: send its fields to POST /api/connections.`);
    if (body.connectionId) {
      const existing = await platform.connections.require(body.connectionId);
      if (existing.connector !== body.connector) throw new NotFoundError(`There is no ${body.connector} connection "${body.connectionId}".`);
    }
    const { authorizeUrl } = await beginAuthorization(
      { db: deps.db, secretBox: deps.secretBox },
      {
        connector: body.connector,
        provider: connector.manifest.oauth,
        client: await platform.oauthClient(body.connector),
        connectionId: body.connectionId,
        startedBy: 'admin',
      },
    );
    return { authorizeUrl };
  });

  app.get('/api/connections/:id', async (request) => lifecycle.status(platform, parseInput(idParams, request.params, 'params').id));
  app.post('/api/connections/:id/enable', async (request) => lifecycle.enable(platform, parseInput(idParams, request.params, 'params').id));
  app.post('/api/connections/:id/disable', async (request) => lifecycle.disable(platform, parseInput(idParams, request.params, 'params').id));
  app.delete('/api/connections/:id', async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const { force } = parseInput(disconnectQuery, request.query, 'query');
    return lifecycle.disconnect(platform, id, { force: force === 'true' });
  });

  app.post('/api/sync-errors/:id/retry', async (request) => {
    const { id } = parseInput(errorParams, request.params, 'params');
    const error = await platform.syncErrors.get(id);
    if (!error || error.resolvedAt) throw new NotFoundError(`There is no open sync error ${id}.`);
    if (!error.retry) throw new ConflictError('This error has no retry action: fix the record at its source; the next sync picks it up.');
    const queue = deps.queue();
    const job = queue.definition(error.retry.job);
    const result = await queue.enqueue(job, error.retry.payload as never);
    await platform.syncErrors.resolve(id);
    return { retried: true, jobId: result.id };
  });
  app.delete('/api/sync-errors/:id', async (request) => {
    const { id } = parseInput(errorParams, request.params, 'params');
    if (!(await platform.syncErrors.resolve(id))) throw new NotFoundError(`There is no open sync error ${id}.`);
    return { dismissed: id };
  });

  app.get('/api/overview', async (): Promise<ApiOverview> => {
    const [status, connections] = await Promise.all([deps.hubspot.status(), lifecycle.list(platform)]);
    const lastWrite = async (slug: string) => {
      const [row] = await deps.db
        .select({ at: auditLog.occurredAt })
        .from(auditLog)
        .where(eq(auditLog.connector, slug))
        .orderBy(desc(auditLog.occurredAt))
        .limit(1);
      return row ? row.at.toISOString() : null;
    };
    const platformConnectors = await Promise.all(
      [...platform.connectors.values()].map(async (c) => ({
        slug: c.manifest.slug,
        name: c.manifest.name,
        features: [...c.manifest.features],
        connectionsAllowed: c.manifest.connections,
        managedOnItsPage: c.manifest.ownPage === true,
        connections: connections.filter((x) => x.connector === c.manifest.slug),
        lastWriteAt: await lastWrite(c.manifest.slug),
      })),
    );
    const legacy = await Promise.all(
      (deps.legacyConnectors ?? [])
        .filter((c) => !platform.connectors.has(c.slug))
        .map(async (c) => ({
          slug: c.slug,
          name: c.name,
          features: [...c.features],
          connectionsAllowed: null,
          managedOnItsPage: true,
          connections: [],
          lastWriteAt: await lastWrite(c.slug),
        })),
    );
    const hub = status.connection;
    return {
      hubspot: {
        state: hub ? hub.status : 'not_connected',
        accountName: hub?.accountName ?? null,
        portalId: hub?.portalId ?? null,
        reason: hub?.lastError ?? null,
      },
      connectors: [...legacy, ...platformConnectors],
    };
  });
}

function unknownConnector(platform: Platform, slug: string): ValidationError {
  const message = `There is no connector "${slug}"; known: ${[...platform.connectors.keys()].join(', ') || 'none'}.`;
  return new ValidationError(message, [{ field: 'body.connector', message: 'unknown connector' }]);
}
