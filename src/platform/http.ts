/**
 * Mounts what connectors declare on the HTTP server, each route with its
 * caller stated:
 * - admin routes at `/api/<slug>/…` (an admin session, its CSRF token on changes: src/web/admin);
 * - webhooks at `/webhooks/<slug>/<path>`: the raw body verified by the connector, turned into
 *   jobs, enqueued, answered 200 — a refused signature is a 401 and enqueues nothing;
 * - public route groups at their declared prefix, behind their declared check;
 * - the OAuth callback `/oauth/<slug>/callback` of OAuth connectors: the single-use `state` is
 *   the proof (the provider's redirect may land where no admin cookie is sent).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SpokesError } from '../errors.ts';
import { completeAuthorization, AuthorizationError } from '../oauth/authorization.ts';
import { connectWithOAuth, reauthorize } from '../connections/lifecycle.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { Db } from '../db/open.ts';
import type { AnyConnector, WebhookRequest } from './connector.ts';
import type { Platform } from './platform.ts';
import { verifySignedLink } from './signed-links.ts';
import { resultPage } from './result-page.ts';

export interface MountDeps {
  platform: Platform;
  db: Db;
  secretBox: SecretBox;
}

/** Webhook bodies up to 1 MiB, as the rest of the server. */
const WEBHOOK_BODY_LIMIT = 1_048_576;

export async function mountConnectors(app: FastifyInstance, deps: MountDeps): Promise<void> {
  for (const connector of deps.platform.connectors.values()) await mountConnector(app, deps, connector);
}

async function mountConnector(app: FastifyInstance, deps: MountDeps, connector: AnyConnector): Promise<void> {
  const { platform } = deps;
  const slug = connector.manifest.slug;
  const ctx = platform.context(slug);
  const admin = connector.routes?.admin;
  if (admin)
    await app.register(
      async (scope) => {
        await admin(scope, ctx);
      },
      { prefix: `/api/${slug}` },
    );

  for (const group of connector.routes?.public ?? []) {
    await app.register(
      async (scope) => {
        if (group.auth === 'signed-link') scope.addHook('onRequest', verifySignedLink(deps.secretBox, slug));
        else if (group.authorize) {
          const authorize = group.authorize;
          scope.addHook('onRequest', async (request) => authorize(request, ctx));
        }
        await group.register(scope, ctx);
      },
      { prefix: group.prefix },
    );
  }

  const webhooks = connector.webhooks ?? [];
  if (webhooks.length) {
    await app.register(async (scope) => {
      // The signature covers the exact bytes sent: no parsing before verification.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));
      for (const hook of webhooks) {
        scope.post(`/webhooks/${slug}/${hook.path.replace(/^\/+/, '')}`, async (request) => {
          const delivery: WebhookRequest = {
            raw: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
            headers: request.headers,
            params: (request.params ?? {}) as Record<string, string>,
            query: (request.query ?? {}) as Record<string, string>,
          };
          const verdict = await hook.verify(delivery, ctx);
          if (!verdict.ok) {
            ctx.log.warn({ webhook: hook.path, reason: verdict.reason }, 'webhook refused');
            throw new SpokesError('unauthorized', `The delivery was refused: ${verdict.reason}`, { status: 401 });
          }
          const jobs = await hook.toJobs(delivery, ctx, verdict);
          for (const j of jobs) await ctx.queue.enqueue(j.job, j.payload, j.startAfterSeconds === undefined ? {} : { startAfterSeconds: j.startAfterSeconds });
          if (verdict.connectionId) await platform.connections.touch(verdict.connectionId);
          return { received: true, jobs: jobs.length };
        });
      }
    });
  }

  if (connector.manifest.oauth) registerOAuthCallback(app, deps, connector);
}

const callbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

function registerOAuthCallback(app: FastifyInstance, deps: MountDeps, connector: AnyConnector): void {
  const { platform } = deps;
  const slug = connector.manifest.slug;
  const name = connector.manifest.name;
  // Who may call: anyone holding a live `state` from "Connect" (single use, 10 minutes, hashed at rest).
  app.get(`/oauth/${slug}/callback`, async (request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const parsed = callbackQuery.safeParse(request.query);
    if (!parsed.success)
      return reply.status(400).send(
        resultPage({
          ok: false,
          title: `${name}: authorization failed`,
          message: 'The link the provider sent back is malformed. Start again with "Connect".',
        }),
      );
    try {
      const done = await completeAuthorization(
        { db: deps.db, secretBox: deps.secretBox },
        { connector: slug, provider: connector.manifest.oauth!, client: () => platform.oauthClient(slug) },
        parsed.data,
      );
      const connection = done.connectionId ? await reauthorize(platform, done.connectionId, done.tokens) : await connectWithOAuth(platform, slug, done.tokens);
      return reply.send(
        resultPage({
          ok: true,
          title: `${name}: connected`,
          message: `Spokes is connected to ${connection.label}. You can close this tab.`,
          connectionId: connection.id,
        }),
      );
    } catch (err) {
      const status = err instanceof AuthorizationError || (err instanceof SpokesError && err.status < 500) ? err.status : 502;
      if (status >= 500) platform.context(slug).log.warn({ err: (err as Error).message }, 'OAuth callback failed');
      return reply.status(status).send(resultPage({ ok: false, title: `${name}: authorization failed`, message: (err as Error).message }));
    }
  });
}
