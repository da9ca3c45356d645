/**
 * The calling widget's page (`/widget/`, C1–C5): `ui/dist/widget/index.html`,
 * framed by HubSpot. Unlike the admin and agent pages it must be embeddable, but
 * only by HubSpot (`https://app.hubspot.com`, `https://*.hubspot.com`) and, in
 * sandbox mode, by the HubSpot emulator's record pages.
 */
import type { FastifyInstance } from 'fastify';
import { sendUiPage } from './admin/ui-pages.ts';

export const HUBSPOT_FRAME_ANCESTORS = ['https://app.hubspot.com', 'https://*.hubspot.com'];

/** `http://127.0.0.1:3001` → itself and `http://localhost:3001`: the emulator is reachable under both names. */
export function sandboxFrameAncestors(sandboxUrl: string | undefined): string[] {
  if (!sandboxUrl) return [];
  const url = new URL(sandboxUrl);
  const names = new Set([url.hostname, 'localhost', '127.0.0.1']);
  return [...names].map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
}

export function widgetPageHeaders(ancestors: string[]): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors ${ancestors.join(' ')}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/**
 * The window the widget opens to sign a salesperson in (`/widget/sign-in`, same bundle): a top-level page
 * that acts on a session, so nobody may frame it. It keeps its opener (no Cross-Origin-Opener-Policy) to
 * hand the session back.
 */
const SIGN_IN_WINDOW_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function registerWidgetPage(app: FastifyInstance, opts: { sandboxUrl: () => string | undefined }): void {
  const page = async (_request: unknown, reply: Parameters<typeof sendUiPage>[0]) =>
    sendUiPage(reply, 'widget', widgetPageHeaders([...HUBSPOT_FRAME_ANCESTORS, ...sandboxFrameAncestors(opts.sandboxUrl())]));
  app.get('/widget', page);
  app.get('/widget/*', page);
  app.get('/widget/sign-in', (_request, reply) => sendUiPage(reply, 'widget', SIGN_IN_WINDOW_HEADERS));
}

/** The calling widget's URL, registered with HubSpot's calling settings (`spokes calling-settings register`, the admin page). */
export function widgetUrlOf(publicUrl: string): string {
  return `${publicUrl}/widget/`;
}
