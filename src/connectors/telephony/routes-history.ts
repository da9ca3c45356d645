/**
 * The call history over HTTP (T8): the admin's list (`GET /api/telephony/calls`,
 * filters and a cursor), its CSV export and the one-click retry of a call not
 * logged — admin-only like every `/api/` route, the retry with the CSRF token
 * (src/web/admin/require-admin.ts) — and a salesperson's own calls on the agent
 * API (`GET /agent-api/calls`: the session's user, never one named in the request).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { appBaseUrlFor } from '../../hubspot/manifest.ts';
import { historyFilterSchema, historyPageSchema, readHistory, readHistoryPage, type HistoryRow } from './call-history.ts';
import { canRetry, retryCall } from './call-retry.ts';
import { csvLine } from './csv.ts';
import type { Binding } from './bindings.ts';
import type { TelephonyContext } from './context.ts';
import type { ApiCall } from './wire.ts';
import { PLAY_LINK_TTL_MS } from './recording-links.ts';

/** What the history knows of a call's people and records, looked up once per page. */
interface Names {
  owners: Map<string, string>;
  contacts: Map<string, string>;
  companies: Map<string, string>;
  /** `…/contacts/<portalId>/record` of the connected HubSpot account, null when none is connected. */
  recordBase: string | null;
  /** A short-lived signed link to each recorded call's recording (recording-links.ts), by row id. */
  recordings: Map<string, string>;
}

const cdrParams = z.object({ cdrId: z.string().min(1).max(300) });

// Names from what Spokes holds (the phone index, the bindings): one query each per page, never a HubSpot request per row.
async function namesFor(ctx: TelephonyContext, rows: HistoryRow[]): Promise<Names> {
  const { services } = ctx;
  const connection = await services.hubspot.store.connection();
  const idsOf = (key: 'contactId' | 'companyId') => rows.flatMap((r) => (r[key] ? [r[key]] : []));
  const none = new Map<string, string>();
  const [contacts, companies, bound, recordings] = await Promise.all([
    connection ? services.phone.index.labels(connection.portalId, 'contact', idsOf('contactId')) : none,
    connection ? services.phone.index.labels(connection.portalId, 'company', idsOf('companyId')) : none,
    ctx.bindings.list(),
    Promise.all(rows.filter((r) => r.recordingRef).map(async (r) => [r.cdrId, await ctx.recordingLinks.path(r.cdrId, PLAY_LINK_TTL_MS)] as const)),
  ]);
  return {
    owners: new Map(bound.flatMap((b) => (b.ownerName ? [[b.ownerId, b.ownerName] as const] : []))),
    contacts,
    companies,
    recordings: new Map(recordings),
    recordBase: connection ? `${appBaseUrlFor(connection.baseUrl)}/contacts/${connection.portalId}/record` : null,
  };
}

function toApiCall(ctx: TelephonyContext, r: HistoryRow, n: Names): ApiCall {
  // The name the phone index holds now; else the one the call was logged with (it names the company when no contact matched).
  const contactName = r.contactId ? (n.contacts.get(r.contactId) ?? r.contactName) : null;
  const companyName = r.companyId ? (n.companies.get(r.companyId) ?? (r.contactId ? null : r.contactName)) : null;
  return {
    cdrId: r.cdrId,
    callId: r.callId,
    direction: r.direction,
    status: r.status,
    extension: r.extension,
    externalNumber: r.externalNumber,
    startedAt: r.startedAt.toISOString(),
    durationMs: r.durationMs,
    state: r.state,
    detail: r.detail,
    engagementId: r.engagementId,
    ownerId: r.ownerId,
    contactId: r.contactId,
    companyId: r.companyId,
    source: r.source,
    ownerName: (r.ownerId && n.owners.get(r.ownerId)) || null,
    contactName: contactName || null,
    companyName: companyName || null,
    contactUrl: n.recordBase && r.contactId ? `${n.recordBase}/0-1/${r.contactId}` : null,
    companyUrl: n.recordBase && r.companyId ? `${n.recordBase}/0-2/${r.companyId}` : null,
    // The call's own record page in HubSpot (object type 0-48).
    hubspotUrl: n.recordBase && r.engagementId && r.state === 'logged' ? `${n.recordBase}/0-48/${r.engagementId}` : null,
    recordingUrl: n.recordings.get(r.cdrId) ?? null,
    missed: r.direction === 'inbound' && r.status !== 'answered',
    retryable: canRetry(r),
  };
}

export function registerCallHistoryRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const db = ctx.services.database.db;

  app.get('/calls', async (request) => {
    const page = parseInput(historyPageSchema, request.query, 'query');
    const { rows, nextCursor } = await readHistoryPage(db, page);
    const names = await namesFor(ctx, rows);
    return { calls: rows.map((r) => toApiCall(ctx, r, names)), nextCursor };
  });

  // The same filters, every matching call, streamed as CSV (RFC 4180, UTF-8 with a BOM for spreadsheet apps).
  app.get('/calls.csv', async (request, reply) => {
    const filter = parseInput(historyFilterSchema, request.query, 'query');
    const day = new Date().toISOString().slice(0, 10);
    async function* lines(): AsyncGenerator<string> {
      yield `\uFEFF${csvLine(CSV_COLUMNS.map((c) => c.title))}`;
      for await (const rows of readHistory(db, filter)) {
        const names = await namesFor(ctx, rows);
        yield rows.map((r) => csvLine(CSV_COLUMNS.map((c) => c.value(toApiCall(ctx, r, names))))).join('');
      }
    }
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="spokes-calls-${day}.csv"`)
      .header('cache-control', 'no-store');
    return reply.send(Readable.from(lines()));
  });

  // The Calls page's user filter: the users bound now, and those calls were logged for before.
  app.get('/call-users', async () => {
    const [bound, owners] = await Promise.all([
      ctx.bindings.list(),
      ctx.services.database.query<{ owner_id: string }>(sql`select distinct owner_id from call_logs where owner_id is not null`),
    ]);
    const names = new Map(
      bound.map((b) => [b.ownerId, { name: b.ownerName || b.ownerEmail || `HubSpot user ${b.ownerId}`, extension: b.extension as string | null }]),
    );
    for (const { owner_id } of owners) if (!names.has(owner_id)) names.set(owner_id, { name: `HubSpot user ${owner_id}`, extension: null });
    return { users: [...names].map(([ownerId, u]) => ({ ownerId, ...u })).sort((a, b) => a.name.localeCompare(b.name)) };
  });

  app.post('/calls/:cdrId/retry', async (request) => {
    const { cdrId } = parseInput(cdrParams, request.params, 'params');
    const outcome = await retryCall(ctx, cdrId);
    request.log.info({ cdrId, action: outcome.action }, 'call history: retry requested');
    return outcome;
  });
}

const OUTCOME: Record<string, string> = { answered: 'Answered', no_answer: 'No answer', busy: 'Busy', voicemail: 'Voicemail', failed: 'Failed' };
const STATE: Record<string, string> = {
  logged: 'Logged',
  skipped: 'Not logged',
  retrying: 'Not logged yet (retrying)',
  failed: 'Not logged (failed)',
  writing: 'Logging',
};

const CSV_COLUMNS: { title: string; value(c: ApiCall): string | number | null }[] = [
  { title: 'Started (UTC)', value: (c) => c.startedAt },
  { title: 'Direction', value: (c) => c.direction },
  { title: 'Outcome', value: (c) => (c.direction === 'inbound' && c.status !== 'answered' ? 'Missed' : (OUTCOME[c.status] ?? c.status)) },
  { title: 'Number', value: (c) => c.externalNumber },
  { title: 'Contact', value: (c) => c.contactName ?? null },
  { title: 'Company', value: (c) => c.companyName ?? null },
  { title: 'User', value: (c) => c.ownerName ?? c.ownerId },
  { title: 'Extension', value: (c) => c.extension },
  { title: 'Talk time (s)', value: (c) => Math.round(c.durationMs / 1000) },
  { title: 'HubSpot', value: (c) => STATE[c.state] ?? c.state },
  { title: 'Reason', value: (c) => (c.state === 'logged' ? null : c.detail) },
  { title: 'HubSpot call', value: (c) => c.hubspotUrl },
  { title: 'HubSpot record', value: (c) => c.contactUrl },
  { title: 'Call ID', value: (c) => c.callId },
  { title: 'Record ID', value: (c) => c.cdrId },
];

/**
 * `GET /agent-api/calls`: the signed-in salesperson's own calls (missed ones to call back), with the
 * same filters but the user: `ownerId` is the session's, and naming one is refused.
 */
export function registerAgentCallHistoryRoute(
  app: FastifyInstance,
  ctx: TelephonyContext,
  agentOf: (request: FastifyRequest) => Promise<{ binding: Binding }>,
): void {
  const db = ctx.services.database.db;
  const query = z
    .object({
      ...historyFilterSchema.omit({ ownerId: true }).shape,
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(25),
    })
    .strict();
  app.get('/calls', async (request) => {
    const { binding } = await agentOf(request);
    const filter = parseInput(query, request.query, 'query');
    const page = parseInput(historyPageSchema, { ...filter, ownerId: binding.ownerId }, 'query');
    const { rows, nextCursor } = await readHistoryPage(db, page);
    const names = await namesFor(ctx, rows);
    return {
      calls: rows.map((r) => {
        const c = toApiCall(ctx, r, names);
        return {
          cdrId: c.cdrId,
          callId: c.callId,
          direction: c.direction,
          status: c.status,
          externalNumber: c.externalNumber,
          startedAt: c.startedAt,
          durationMs: c.durationMs,
          state: c.state,
          missed: c.missed,
          name: c.contactName ?? c.companyName,
          recordUrl: c.contactUrl ?? c.companyUrl,
          hubspotUrl: c.hubspotUrl,
        };
      }),
      nextCursor,
    };
  });
}
