import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { defineApi, requireString } from './api-kit.ts';

/**
 * get_token / refresh_token / del_token (pbx-apis.md §1.2; help.yeastar.com
 * ".../get-access-token.html"). Lifetimes are reported in seconds: 1800 / 86400.
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const lifetimes = () => ({
    access_token_expire_time: ctx.options.limits.accessTokenTtlSec,
    refresh_token_expire_time: ctx.options.limits.refreshTokenTtlSec,
  });

  defineApi(app, ctx, {
    path: 'get_token',
    method: 'POST',
    auth: false,
    handler: ({ body, ip }) => {
      ctx.state.count('get_token');
      const username = requireString(body, 'username');
      const password = requireString(body, 'password');
      const pair = ctx.tokens.issue(ip, username === ctx.options.clientId && password === ctx.options.clientSecret);
      return { ...lifetimes(), access_token: pair.accessToken, refresh_token: pair.refreshToken };
    },
  });

  // Body field `refresh_token` [3P: public clients; the docs name the parameter the same].
  defineApi(app, ctx, {
    path: 'refresh_token',
    method: 'POST',
    auth: false,
    handler: ({ body }) => {
      ctx.state.count('refresh_token');
      const pair = ctx.tokens.refresh(requireString(body, 'refresh_token'));
      return { ...lifetimes(), access_token: pair.accessToken, refresh_token: pair.refreshToken };
    },
  });

  defineApi(app, ctx, {
    path: 'del_token',
    method: 'GET',
    auth: false,
    handler: ({ query }) => {
      ctx.state.count('del_token');
      ctx.tokens.revoke(query.access_token ?? '');
      return {};
    },
  });
}
