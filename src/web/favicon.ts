/**
 * Spokes' icon at the addresses browsers ask for by themselves (`/favicon.ico`
 * for pages without an icon link: JSON answers, the OAuth callback page) and
 * for pages to link (`/favicon.svg`). The same mark as the apps' own pages.
 */
import type { FastifyInstance } from 'fastify';

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f5fd6"/><g stroke="white" stroke-width="2.4" stroke-linecap="round"><path d="M16 16L16 7M16 16l7.8 4.5M16 16l-7.8 4.5"/></g><circle cx="16" cy="16" r="3.6" fill="white"/></svg>`;

export function registerFavicon(app: FastifyInstance): void {
  // Browsers take an SVG answer at /favicon.ico by its content type.
  for (const path of ['/favicon.ico', '/favicon.svg']) {
    app.get(path, (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG));
  }
}
