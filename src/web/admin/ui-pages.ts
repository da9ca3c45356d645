/**
 * Serves the built browser apps (`ui/dist`, made by `npm run build`): hashed
 * assets under `/ui/assets/`, and each app's index.html for every path of the
 * app (`/admin/…` → `ui/dist/admin/index.html`; the app routes in the browser).
 * Admin pages need a session: without one a page load goes to the sign-in page.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { currentSession } from './require-admin.ts';
import { INVITE_PAGE } from './user-routes.ts';

export const UI_DIST = fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

export const SIGN_IN_PATH = '/admin/sign-in';

// The admin app talks only to this origin and is never framed (clickjacking on "Disconnect").
const ADMIN_PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

/** Sends `ui/dist/<entry>/index.html`, or a 503 page saying how to build it. Read per request, so a rebuild shows at once. */
export async function sendUiPage(reply: FastifyReply, entry: string, headers: Record<string, string>): Promise<FastifyReply> {
  let html: string;
  try {
    html = await readFile(`${UI_DIST}${entry}/index.html`, 'utf8');
  } catch {
    return reply
      .status(503)
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Spokes</title><p>The ${entry} pages have not been built. Run <code>npm run build</code> (or <code>npm start</code>, which builds them) and reload.</p>`,
      );
  }
  return reply.headers(headers).type('text/html; charset=utf-8').send(html);
}

export async function registerUiPages(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: `${UI_DIST}assets`,
    prefix: '/ui/assets/',
    decorateReply: false,
    // File names carry a content hash: a changed file is a new URL.
    immutable: true,
    maxAge: '365d',
    index: false,
  });

  app.get('/', async (_request, reply) => reply.redirect('/admin/', 302));

  const adminPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    // The invitation page is for someone without an account yet: its token is in the fragment, checked by the API.
    if (path !== SIGN_IN_PATH && path !== INVITE_PAGE && !(await currentSession(request, reply))) {
      return reply.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(request.url)}`, 302);
    }
    return sendUiPage(reply, 'admin', ADMIN_PAGE_HEADERS);
  };
  app.get('/admin', adminPage);
  app.get('/admin/*', adminPage);
}
