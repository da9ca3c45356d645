import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { ERR } from '../errcodes.ts';
import type { TokenStore } from '../token-store.ts';
import type { EventBus, Subscriber } from './event-bus.ts';

/**
 * `GET /openapi/v1.0/subscribe?access_token=` upgraded to a WebSocket
 * (help.yeastar.com ".../monitor-events-via-websocket.html", pbx-apis.md §1.3a):
 *  - a valid access token is required to open it; with a bad one the emulator
 *    sends `{"errcode":10004,"errmsg":"TOKEN EXPIRED"}` and closes [U: the
 *    real PBX's refusal is not documented];
 *  - the client sends `{"topic_list":[30011,…]}` and gets `{"errcode":0,"errmsg":"SUCCESS"}` [C];
 *    a later topic_list replaces the earlier one;
 *  - `heartbeat` is answered with `heartbeat response` [C: zh-cn page example];
 *  - "if there is no interaction … for 60 seconds, the WebSocket connection will be
 *    automatically disconnected" [C]: only frames from the client count here, so a
 *    client that only listens is dropped (the strict reading) [U];
 *  - the socket is closed when its access token is revoked, refreshed away or expires
 *    ("you will need to get a new access token … to maintain the WebSocket connection") [U].
 */
export function registerSubscribeRoute(
  app: FastifyInstance,
  deps: {
    tokens: TokenStore;
    bus: EventBus;
    idleMs: () => number;
  },
): void {
  app.get('/openapi/v1.0/subscribe', { websocket: true }, (socket: WebSocket, request) => {
    const token = (request.query as Record<string, string | undefined>).access_token;
    const expiresAt = deps.tokens.expiresAt(token);
    if (!token || expiresAt === undefined) {
      socket.send(JSON.stringify({ errcode: ERR.TOKEN_EXPIRED.errcode, errmsg: ERR.TOKEN_EXPIRED.errmsg }));
      socket.close(1008, 'TOKEN EXPIRED');
      return;
    }
    const sub: Subscriber = { socket, accessToken: token, topics: new Set() };
    deps.bus.subscribers.add(sub);

    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        deps.bus.subscribers.delete(sub);
        socket.close(1000, 'idle timeout');
      }, deps.idleMs());
    };
    armIdle();
    const expiryTimer = setTimeout(() => deps.bus.dropForToken(token), Math.max(0, expiresAt - Date.now()));

    socket.on('message', (data, isBinary) => {
      armIdle();
      const text = isBinary ? '' : data.toString().trim();
      if (text === 'heartbeat') {
        socket.send('heartbeat response');
        return;
      }
      const topics = parseTopicList(text);
      if (!topics) {
        socket.send(JSON.stringify({ errcode: ERR.PARAMETER_ERROR.errcode, errmsg: ERR.PARAMETER_ERROR.errmsg }));
        return;
      }
      sub.topics = new Set(topics);
      socket.send(JSON.stringify({ errcode: 0, errmsg: 'SUCCESS' }));
    });
    socket.on('close', () => {
      clearTimeout(idleTimer);
      clearTimeout(expiryTimer);
      deps.bus.subscribers.delete(sub);
    });
  });
}

function parseTopicList(text: string): number[] | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const list = (body as { topic_list?: unknown } | null)?.topic_list;
  if (!Array.isArray(list) || !list.every((t) => Number.isInteger(t) && t >= 30000 && t <= 30099)) return null;
  return list as number[];
}
