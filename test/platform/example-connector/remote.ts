/**
 * The remote system of the example connector, as small as a remote can be:
 * an API key checked on every call, `GET /api/me`, webhook subscriptions
 * (`POST /api/webhooks` answers the signing secret, `DELETE` removes one), and
 * `deliver()` which signs a sign-up event (`x-example-signature: sha256=<hex>`
 * of the raw body, HMAC-SHA256 with the subscription's secret) and POSTs it to
 * every subscription — the shape most SaaS webhooks take.
 */
import { createHmac, randomBytes } from 'node:crypto';
import Fastify from 'fastify';

export interface Signup {
  id: string;
  email: string;
  name: string;
}

export interface ExampleRemote {
  url: string;
  apiKey: string;
  subscriptions(): { id: string; url: string }[];
  /** Sends the event to every subscription; returns each answer's HTTP status. */
  deliver(signup: Signup): Promise<number[]>;
  close(): Promise<void>;
}

export async function startExampleRemote(): Promise<ExampleRemote> {
  const apiKey = `key_${randomBytes(12).toString('hex')}`;
  const subs = new Map<string, { id: string; url: string; secret: string }>();
  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${apiKey}`) return reply.code(401).send({ error: 'invalid_api_key' });
  });
  app.get('/api/me', async () => ({ account: 'Example Events Ltd', plan: 'team' }));
  app.post('/api/webhooks', async (request) => {
    const { url } = request.body as { url: string };
    const sub = { id: `wh_${randomBytes(4).toString('hex')}`, url, secret: randomBytes(24).toString('base64url') };
    subs.set(sub.id, sub);
    return { id: sub.id, secret: sub.secret };
  });
  app.delete<{ Params: { id: string } }>('/api/webhooks/:id', async (request, reply) => {
    if (!subs.delete(request.params.id)) return reply.code(404).send({ error: 'not_found' });
    return reply.code(204).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    subscriptions: () => [...subs.values()].map(({ id, url }) => ({ id, url })),
    async deliver(signup) {
      const body = JSON.stringify({ type: 'signup.created', signup });
      return Promise.all(
        [...subs.values()].map(async (sub) => {
          const signature = createHmac('sha256', sub.secret).update(body).digest('hex');
          const res = await fetch(sub.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-example-signature': `sha256=${signature}` },
            body,
          });
          return res.status;
        }),
      );
    },
    close: () => app.close(),
  };
}
