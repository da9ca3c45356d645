/**
 * The browser side of OAuth (reference §1.1) and the sandbox sign-in:
 * `GET /oauth/authorize` (and `/oauth/{portalId}/authorize`) → account chooser →
 * consent → redirect to `redirect_uri?code=…&state=…` or `?error=access_denied…`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxUser } from '../model/sandbox-state.ts';
import { AUTHORIZE_MESSAGES, checkAccountChoice, checkAuthorizeRequest, issueCode, redirectWithParams } from '../oauth/authorization.ts';
import { accountChooserPage, authorizeErrorPage, consentPage, loginPage, type AccountChoice, type AuthorizeFields } from '../pages/oauth-pages.ts';
import type { SandboxContext } from './context.ts';

export const USER_COOKIE = 'hubspot_sandbox_user';

/** The signed-in sandbox user: the cookie's user, else the first (default) user. */
export function currentUser(ctx: SandboxContext, request: FastifyRequest): SandboxUser {
  const fromCookie = Number((request.cookies as Record<string, string | undefined>)[USER_COOKIE]);
  return ctx.state.users.get(fromCookie) ?? ctx.state.users.values().next().value!;
}

function signedIn(user: SandboxUser) {
  return { email: user.email, name: `${user.firstName} ${user.lastName}` };
}

function fieldsOf(source: Record<string, unknown>): AuthorizeFields {
  const text = (name: string) => (typeof source[name] === 'string' ? (source[name] as string) : undefined);
  return {
    client_id: text('client_id') ?? '',
    redirect_uri: text('redirect_uri') ?? '',
    scope: text('scope') ?? '',
    optional_scope: text('optional_scope'),
    state: text('state'),
  };
}

function accountsFor(ctx: SandboxContext, user: SandboxUser): AccountChoice[] {
  const accounts: AccountChoice[] = user.portalIds
    .map((id) => ctx.state.portal(id))
    .filter((p) => p !== undefined)
    .map((p) => ({ portalId: p.portalId, name: p.settings.name, kind: p.settings.type }));
  const dev = ctx.state.developerAccount;
  accounts.push({ portalId: dev.portalId, name: dev.name, kind: 'APP_DEVELOPER' });
  return accounts;
}

function showError(reply: FastifyReply, message: string, user: SandboxUser): string {
  reply.code(400).type('text/html; charset=utf-8');
  return authorizeErrorPage(AUTHORIZE_MESSAGES.title, message, signedIn(user));
}

/** Validates the install URL and the chosen account; renders consent or the error page. */
function consentOrError(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply, fields: AuthorizeFields, portalId: number): string {
  const user = currentUser(ctx, request);
  const check = checkAuthorizeRequest(ctx.state, {
    clientId: fields.client_id,
    redirectUri: fields.redirect_uri,
    scope: fields.scope,
    optionalScope: fields.optional_scope,
  });
  if (!check.ok) return showError(reply, check.message, user);
  const problem = checkAccountChoice(ctx.state, portalId, user.userId);
  if (problem) return showError(reply, problem, user);
  const account = accountsFor(ctx, user).find((a) => a.portalId === portalId)!;
  reply.type('text/html; charset=utf-8');
  return consentPage(check.app.name, fields, account, check.scopes, signedIn(user), request.url);
}

export function registerAuthorizeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/oauth/authorize', async (request, reply) => {
    const fields = fieldsOf(request.query as Record<string, unknown>);
    const user = currentUser(ctx, request);
    const appRecord = ctx.state.appByClientId(fields.client_id);
    if (!appRecord) return showError(reply, AUTHORIZE_MESSAGES.badClientId, user);
    reply.type('text/html; charset=utf-8');
    return accountChooserPage(appRecord.name, fields, accountsFor(ctx, user), signedIn(user), request.url);
  });

  app.get<{ Params: { portalId: string } }>('/oauth/:portalId/authorize', async (request, reply) => {
    return consentOrError(ctx, request, reply, fieldsOf(request.query as Record<string, unknown>), Number(request.params.portalId));
  });

  app.post('/oauth/authorize/account', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    return consentOrError(ctx, request, reply, fieldsOf(body), Number(body.portal_id));
  });

  app.post('/oauth/authorize/decision', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const fields = fieldsOf(body);
    const user = currentUser(ctx, request);
    const portalId = Number(body.portal_id);
    const check = checkAuthorizeRequest(ctx.state, {
      clientId: fields.client_id,
      redirectUri: fields.redirect_uri,
      scope: fields.scope,
      optionalScope: fields.optional_scope,
    });
    if (!check.ok) return showError(reply, check.message, user);
    if (body.decision !== 'approve') {
      return reply.redirect(
        redirectWithParams(check.redirectUri, {
          error: 'access_denied',
          error_description: 'The user denied access to the app.',
          state: fields.state,
        }),
        302,
      );
    }
    const problem = checkAccountChoice(ctx.state, portalId, user.userId);
    if (problem) return showError(reply, problem, user);
    const code = issueCode(ctx.state, {
      app: check.app,
      portalId,
      userId: user.userId,
      scopes: check.scopes,
      redirectUri: check.redirectUri,
      ttlSeconds: ctx.options.authCodeTtlSeconds,
    });
    return reply.redirect(redirectWithParams(check.redirectUri, { code, state: fields.state }), 302);
  });

  app.get('/login', async (request, reply) => {
    const returnTo = String((request.query as Record<string, unknown>).returnTo ?? '/');
    const users = [...ctx.state.users.values()].map((u) => ({
      userId: u.userId,
      email: u.email,
      name: `${u.firstName} ${u.lastName}`,
      portals: u.portalIds.map((id) => ctx.state.portal(id)?.settings.name ?? String(id)),
    }));
    reply.type('text/html; charset=utf-8');
    return loginPage(users, currentUser(ctx, request).userId, returnTo);
  });

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const user = ctx.state.users.get(Number(body.userId));
    if (!user) {
      reply.code(400).type('text/html; charset=utf-8');
      return authorizeErrorPage('Unknown user', `No sandbox user has id ${String(body.userId)}.`);
    }
    const returnTo = typeof body.returnTo === 'string' && body.returnTo.startsWith('/') && !body.returnTo.startsWith('//') ? body.returnTo : '/';
    reply.setCookie(USER_COOKIE, String(user.userId), { path: '/', httpOnly: true, sameSite: 'lax' });
    return reply.redirect(returnTo, 302);
  });
}
