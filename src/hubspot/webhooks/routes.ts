/**
 * `POST /webhooks/hubspot`: verify, enqueue, answer (STYLE.md rule 9). The v3
 * signature is checked over the raw body before anything is parsed; a valid
 * delivery becomes one job and HubSpot gets its 200 at once (it counts an answer
 * slower than 5 s as a failure and retries, §10.1).
 *
 * The signed URI is the URL HubSpot called. Behind a reverse proxy that is the
 * public URL (`SPOKES_PUBLIC_URL`), not what the Host header says, so both are
 * tried; neither helps a forger, who lacks the client secret.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError, ValidationError } from '../../errors.ts';
import { parseInput } from '../../web/errors.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { ConnectionStore } from '../connection-store.ts';
import { HUBSPOT } from '../manifest.ts';
import { webhookBatch, type WebhookEvent } from './events.ts';
import { webhookEventsJob } from './jobs.ts';
import { verifySignatureV3 } from './signature.ts';

export interface WebhookRouteDeps {
  /** Where the app's client secret is kept (`hubspot.store`). */
  store: Pick<ConnectionStore, 'app'>;
  queue: JobQueue;
  /** `SPOKES_PUBLIC_URL` (or its default): the origin HubSpot is configured to call. */
  publicUrl: string;
  now?: () => number;
  /** The connectors' share of a verified delivery (`Platform.hubspotEvents`): their jobs, enqueued before the answer. */
  toConnectors?: (events: WebhookEvent[]) => Promise<void>;
}

export async function registerHubSpotWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  // An encapsulated scope, so only this route receives its body as raw bytes.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post(HUBSPOT.webhookPath, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const credentials = await deps.store.app();
      if (!credentials) throw new UnauthorizedError('HubSpot webhook refused: no HubSpot app is configured, so its signature cannot be checked.');
      const verdict = verifySignatureV3(
        credentials.clientSecret,
        {
          method: request.method,
          uris: signedUriCandidates(request, deps.publicUrl),
          body,
          signature: header(request, 'x-hubspot-signature-v3'),
          timestamp: header(request, 'x-hubspot-request-timestamp'),
        },
        deps.now?.() ?? Date.now(),
      );
      if (!verdict.ok) {
        request.log.warn({ reason: verdict.reason }, 'HubSpot webhook refused');
        throw new UnauthorizedError(`HubSpot webhook refused: ${verdict.reason}.`);
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw new ValidationError('HubSpot webhook body is not JSON.', [{ field: 'body', message: 'not JSON' }]);
      }
      const events = parseInput(webhookBatch, json, 'body');
      const queued = await deps.queue.enqueue(webhookEventsJob, { events });
      await deps.toConnectors?.(events);
      return reply.status(200).send({ received: events.length, duplicate: queued.duplicate });
    });
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The public URL first, then what a proxy forwarded, then the Host header as received. */
export function signedUriCandidates(request: FastifyRequest, publicUrl: string): string[] {
  const path = request.url;
  const forwardedProto = header(request, 'x-forwarded-proto')?.split(',')[0]?.trim();
  const forwardedHost = header(request, 'x-forwarded-host')?.split(',')[0]?.trim();
  const host = header(request, 'host');
  const candidates = [`${publicUrl.replace(/\/+$/, '')}${path}`];
  if (forwardedHost) candidates.push(`${forwardedProto ?? 'https'}://${forwardedHost}${path}`);
  if (host) candidates.push(`${forwardedProto ?? request.protocol}://${host}${path}`);
  return candidates;
}
