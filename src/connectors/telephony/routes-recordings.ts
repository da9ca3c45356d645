/**
 * Call recordings (T8) as people and HubSpot reach them:
 *
 * - `GET /recordings/:row?exp=&sig=` — the link Spokes writes into HubSpot. No
 *   session: the signature is the proof (recording-links.ts), so every link
 *   expires and a rotation revokes them all. Spokes streams the file from the
 *   PBX with its own token, and only as audio: nosniff, a sandboxing CSP, a
 *   file name, so nothing a PBX (or whoever answers for it) sends can run as a
 *   page on Spokes' origin. An expired link opened by a signed-in admin is
 *   sent on to a fresh one.
 * - `GET /hubspot/calling/recordings/:externalId` — HubSpot's request for an
 *   authenticated recording URL (the calling app's `urlToRetrieveAuthedRecording`
 *   with `%s` = the engagement's `hs_call_external_id`, plus `externalAccountId`
 *   and `appId`; developers.hubspot.com "Call recordings and transcripts"), made
 *   when one of its signed-in users plays a call: answered with a fresh link.
 *   HubSpot signs it with the app's client secret (X-HubSpot-Signature-v3, as
 *   its other requests to apps); the exact signing of this request is not
 *   documented (docs/connectors/yeastar.md).
 * - `POST /api/telephony/recording-links/revoke` — the admin revokes every link.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../../web/errors.ts';
import { NotFoundError, RemoteRejectedError, SpokesError, UnauthorizedError } from '../../errors.ts';
import { currentSession } from '../../web/admin/require-admin.ts';
import { verifySignatureV3 } from '../../hubspot/webhooks/signature.ts';
import { signedUriCandidates } from '../../hubspot/webhooks/routes.ts';
import { callLogs } from './schema.ts';
import { PLAY_LINK_TTL_MS } from './recording-links.ts';
import type { TelephonyContext } from './context.ts';

/** What a recording may be served as: an audio type, nothing a browser would render as a page. */
const AUDIO_TYPE = /^audio\/[a-z0-9.+-]+$/i;

/** `/recordings/:rowId`: the signed link is the proof (checked again here for its expiry; see `authorizeRecordingLink`). */
export function registerRecordingRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { registry, services, recordingLinks } = ctx;
  const db = services.database.db;

  app.get('/:rowId', async (request, reply) => {
    const { rowId } = parseInput(z.object({ rowId: z.string().min(1).max(300) }), request.params, 'params');
    const { exp, sig } = parseInput(z.object({ exp: z.string().max(20).optional(), sig: z.string().max(100).optional() }), request.query, 'query');
    // The signature carries the link's own URL parameters: the page that links here must not learn them from a Referer.
    reply.header('referrer-policy', 'no-referrer');
    const verdict = await recordingLinks.verify(rowId, exp, sig);
    if (verdict === 'invalid') throw new NotFoundError('no such recording');
    if (verdict === 'expired') {
      if (await currentSession(request, reply)) return reply.redirect(await recordingLinks.path(rowId, PLAY_LINK_TTL_MS), 302);
      throw new SpokesError(
        'not_found',
        'This recording link has expired. Play the recording from the call in HubSpot, or ask a Spokes admin for the recording.',
        { status: 410 },
      );
    }
    const [row] = await db.select({ ref: callLogs.recordingRef }).from(callLogs).where(eq(callLogs.cdrId, rowId));
    if (!row?.ref) throw new NotFoundError('no such recording');
    const recording = await (await registry.adapter()).openRecording(row.ref);
    if (!AUDIO_TYPE.test(recording.contentType)) {
      recording.stream.destroy();
      throw new RemoteRejectedError('The PBX did not answer with audio.');
    }
    reply
      .header('content-type', recording.contentType)
      .header('x-content-type-options', 'nosniff')
      // Opened on its own, the answer is a sandboxed document that may load nothing and run nothing.
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `inline; filename="${recording.fileName.replace(/[^\w.-]/g, '_')}"`)
      .header('cache-control', 'private, max-age=300');
    if (recording.contentLength) reply.header('content-length', recording.contentLength);
    return reply.send(recording.stream);
  });
}

/** Who may call `/recordings/…`: a link Spokes signed (an expired one is for a signed-in admin only: the handler redirects). */
export async function authorizeRecordingLink(request: FastifyRequest, ctx: TelephonyContext): Promise<void> {
  const params = z.object({ rowId: z.string().min(1).max(300) }).safeParse(request.params);
  const query = z.object({ exp: z.string().max(20).optional(), sig: z.string().max(100).optional() }).safeParse(request.query);
  if (!params.success || !query.success) return; // the handler answers 400 naming the field
  if ((await ctx.recordingLinks.verify(params.data.rowId, query.data.exp, query.data.sig)) === 'invalid') throw new NotFoundError('no such recording');
}

/** Where HubSpot asks for a fresh recording link (`<recordingPath>/:externalId`): HubSpot's v3 signature is the proof (`verifyHubSpot`). */
export function registerHubSpotRecordingRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { recordingLinks } = ctx;
  const db = ctx.services.database.db;
  app.get('/:externalId', async (request) => {
    const { externalId } = parseInput(z.object({ externalId: z.string().min(1).max(300) }), request.params, 'params');
    const query = parseInput(z.object({ externalAccountId: z.string().max(30).optional(), appId: z.string().max(30).optional() }), request.query, 'query');
    const [calling, portal] = await Promise.all([ctx.callingApp(), ctx.jobDeps.logging.portal().catch(() => null)]);
    // Only for the app and the HubSpot account Spokes logs calls into.
    if (!calling || query.appId !== String(calling.appId) || !portal || query.externalAccountId !== String(portal.portalId))
      throw new NotFoundError('no such recording');
    const [row] = await db
      .select({ cdrId: callLogs.cdrId })
      .from(callLogs)
      .where(and(eq(callLogs.externalId, externalId), isNotNull(callLogs.recordingRef)))
      .limit(1);
    if (!row) throw new NotFoundError('no such recording');
    return { authenticatedUrl: await recordingLinks.url(row.cdrId, PLAY_LINK_TTL_MS) };
  });
}

/** Admin API: revoke every recording link handed out. */
export function registerRecordingAdminRoutes(app: FastifyInstance, ctx: TelephonyContext): void {
  const { recordingLinks } = ctx;
  // Signed-in admins only (every /api/ route), with the CSRF token.
  app.post('/recording-links/revoke', async () => {
    await recordingLinks.rotate();
    return { revoked: true, revokedAt: new Date().toISOString() };
  });
}

/** HubSpot's v3 signature with the app's client secret, over the URL it called (no body). */
export async function verifyHubSpot(request: FastifyRequest, ctx: TelephonyContext): Promise<void> {
  const credentials = await ctx.services.hubspot.store.app();
  if (!credentials) throw new UnauthorizedError("No HubSpot app is configured, so the request's signature cannot be checked.");
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const verdict = verifySignatureV3(credentials.clientSecret, {
    method: request.method,
    uris: signedUriCandidates(request, ctx.services.hubspot.publicUrl),
    body: '',
    signature: header('x-hubspot-signature-v3'),
    timestamp: header('x-hubspot-request-timestamp'),
  });
  if (!verdict.ok) {
    request.log.warn({ reason: verdict.reason }, 'recording request refused: not signed by HubSpot');
    throw new UnauthorizedError(`Refused: ${verdict.reason}.`);
  }
}
