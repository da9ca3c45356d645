/**
 * Sandbox controls under `/sandbox/*`, never part of the Open API: they stand in for
 * Sansan's own apps (scanning a card, editing it, deleting it, making tags) and for
 * the test harness (seed, reset, faults, clock, limits, request log). Errors use
 * Spokes' `{error:{code, message, details}}`. Reachable by anyone who can reach the
 * port, which listens on loopback unless told otherwise (docs/security.md).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../api/context.ts';
import { apiCard, apiTag } from '../api/serialize.ts';
import { cardFieldsShape, companyIdFor, emptyToNull, exchangeDateSchema, hasName, newCard } from '../model/card-input.ts';
import { CARD_TEXT_FIELDS, ENTRY_STATUSES, type DbCard } from '../model/cards.ts';
import { TAG_TYPES } from '../model/tags.ts';
import type { TenantState } from '../model/tenant.ts';
import { seedSchema, type SansanUser } from '../options.ts';
import { randomHexId } from '../random.ts';
import { seedTenant } from '../seed/seed.ts';
import type { HttpParts } from './app.ts';
import { controlInvalid, controlNotFound, parseControlBody } from './control-body.ts';
import { faultsSchema } from './faults.ts';

const cardControlSchema = z
  .object({
    ...cardFieldsShape,
    exchangeDate: exchangeDateSchema.optional(),
    /** Tag names; a name no tag visible to the owner has becomes a new public tag of the owner. */
    tags: z.array(z.string().min(1).max(100)).max(50).optional(),
    ownerUserId: z.string().min(1).optional(),
    /** Joins the card to this person (32 hex digits) instead of Sansan-like matching. */
    personId: z
      .string()
      .regex(/^[0-9A-F]{32}$/, 'a person id is 32 upper-case hex digits')
      .optional(),
    entryStatus: z.enum(ENTRY_STATUSES).optional(),
    visibility: z.enum(['all', 'owner']).optional(),
  })
  .strict();

const tagControlSchema = z
  .object({
    name: z.string().min(1).max(100),
    type: z.enum(TAG_TYPES),
    ownerUserId: z.string().min(1),
    sharedWithUserIds: z.array(z.string().min(1)).optional(),
  })
  .strict();

export interface SandboxInfo {
  system: 'sansan';
  baseUrl: string;
  apiBaseUrl: string;
  apiVersion: string;
  apiKeys: Array<{ key: string; userId: string; name: string; email: string }>;
  users: Array<{ id: string; name: string; email: string; seesAllCards: boolean }>;
  limits: { requestsPerSecond: number; pageTokenTtlSeconds: number; maxPageSize: number };
  counts: { cards: number; persons: number; tags: number };
}

/** `GET /sandbox/info`; the first four fields are relied on by scripts outside the project. */
export function sandboxInfo(ctx: ApiContext): SandboxInfo {
  const s = ctx.state;
  return {
    system: 'sansan',
    baseUrl: ctx.baseUrl,
    apiBaseUrl: `${ctx.baseUrl}/${ctx.options.apiVersion}`,
    apiKeys: s.users.map((u) => ({ key: u.apiKey, userId: u.id, name: u.name, email: u.email })),
    apiVersion: ctx.options.apiVersion,
    users: s.users.map((u) => ({ id: u.id, name: u.name, email: u.email, seesAllCards: u.seesAllCards })),
    limits: { ...ctx.limits, maxPageSize: 300 },
    counts: { cards: s.cards.size, persons: s.cards.personCount, tags: s.tags.list.length },
  };
}

export function registerControlRoutes(app: FastifyInstance, ctx: ApiContext, parts: HttpParts, reset: () => void): void {
  const offset = () => ctx.options.utcOffsetMinutes;
  const owner = (id: string | undefined): SansanUser => {
    const user = id === undefined ? ctx.state.users[0] : ctx.state.user(id);
    if (!user) throw controlInvalid('ownerUserId', `no user ${id}; users are ${ctx.state.users.map((u) => u.id).join(', ')}`);
    return user;
  };
  const cardOf = (id: string): DbCard => {
    const card = ctx.state.cards.byId.get(id);
    if (!card) throw controlNotFound(`No card ${id}.`);
    return card;
  };
  const show = (card: DbCard) => apiCard(ctx.state, ctx.state.user(card.ownerUserId) ?? ctx.state.users[0], card, true, offset());

  app.get('/sandbox/info', async () => sandboxInfo(ctx));

  app.post('/sandbox/reset', async () => {
    reset();
    return sandboxInfo(ctx);
  });

  app.post('/sandbox/seed', async (request) => seedTenant(ctx.state, parseControlBody(request, seedSchema), offset()));

  app.get('/sandbox/faults', async () => parts.faults.current());
  app.post('/sandbox/faults', async (request) => {
    parts.faults.configure(parseControlBody(request, faultsSchema));
    return parts.faults.current();
  });

  app.get('/sandbox/limits', async () => ctx.limits);
  app.post('/sandbox/limits', async (request) => {
    const body = parseControlBody(
      request,
      z
        .object({
          requestsPerSecond: z.number().int().min(0).max(100_000).optional(),
          pageTokenTtlSeconds: z
            .number()
            .int()
            .min(1)
            .max(7 * 86_400)
            .optional(),
        })
        .strict(),
    );
    Object.assign(ctx.limits, Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
    return ctx.limits;
  });

  app.post('/sandbox/clock', async (request) => {
    const { advanceMs } = parseControlBody(
      request,
      z
        .object({
          advanceMs: z
            .number()
            .int()
            .min(0)
            .max(10 * 365 * 86_400_000),
        })
        .strict(),
    );
    ctx.state.clock.advance(advanceMs);
    return { now: new Date(ctx.state.clock.now()).toISOString(), offsetMs: ctx.state.clock.offsetMs };
  });

  app.get('/sandbox/requests', async () => ({
    ...parts.counters,
    rateLimited: parts.limiter.refused,
    injected: parts.faults.injected,
    requests: parts.requestLog,
  }));

  // A card as if a user had scanned it and Sansan had digitised it: completed at once.
  app.post('/sandbox/cards', async (request, reply) => {
    const body = parseControlBody(request, cardControlSchema);
    const user = owner(body.ownerUserId);
    const entryStatus = body.entryStatus ?? 'completed';
    if (entryStatus === 'completed' && !hasName(body)) throw controlInvalid('companyName', 'a completed card needs companyName, lastName or firstName');
    const card = newCard(
      ctx.state,
      body,
      {
        ownerUserId: user.id,
        entryStatus,
        visibility: body.visibility ?? 'all',
        tagIds: tagIdsFor(ctx.state, user, body.tags ?? []),
        personId: body.personId,
      },
      offset(),
    );
    ctx.state.cards.add(card);
    ctx.state.touch();
    return reply.code(201).send(show(card));
  });

  app.get('/sandbox/cards/:id', async (request) => show(cardOf((request.params as { id: string }).id)));

  // A partial update (null clears a field; tags replace the card's tags); the update time always moves.
  app.patch('/sandbox/cards/:id', async (request) => {
    const card = cardOf((request.params as { id: string }).id);
    const body = parseControlBody(request, cardControlSchema);
    const user = owner(body.ownerUserId ?? card.ownerUserId);
    const tagIds = body.tags === undefined ? undefined : tagIdsFor(ctx.state, user, body.tags);
    ctx.state.cards.update(card, (c) => {
      for (const f of CARD_TEXT_FIELDS) if (body[f] !== undefined) c[f] = emptyToNull(body[f]);
      if (body.companyName !== undefined) c.companyId = companyIdFor(ctx.state, c.companyName);
      if (body.exchangeDate !== undefined) c.exchangeDate = body.exchangeDate;
      if (body.visibility !== undefined) c.visibility = body.visibility;
      if (tagIds !== undefined) c.tagIds = tagIds;
      c.ownerUserId = user.id;
      c.updatedAt = ctx.state.clock.stamp();
      const completing = body.entryStatus === 'completed' && c.entryStatus !== 'completed';
      if (body.entryStatus !== undefined) c.entryStatus = body.entryStatus;
      if (completing) c.completedAt = c.updatedAt;
      if (c.entryStatus !== 'completed') c.completedAt = null;
      if (body.personId !== undefined) c.personId = body.personId;
      else if (completing) c.personId = ctx.state.matchPerson(c) ?? randomHexId();
    });
    ctx.state.touch();
    return show(card);
  });

  // Deleted in Sansan: gone from every endpoint; the API has no feed of deletions (reference §A.3).
  app.delete('/sandbox/cards/:id', async (request, reply) => {
    ctx.state.cards.remove(cardOf((request.params as { id: string }).id));
    ctx.state.touch();
    return reply.code(204).send();
  });

  // The user reissues their API key in Sansan: the old key is refused (401) from now on.
  app.post('/sandbox/users/:id/api-key', async (request) => {
    const id = (request.params as { id: string }).id;
    const user = ctx.state.reissueApiKey(id);
    if (!user) throw controlNotFound(`No user ${id}; users are ${ctx.state.users.map((u) => u.id).join(', ')}.`);
    return { key: user.apiKey, userId: user.id, name: user.name, email: user.email };
  });

  // A tag deleted in Sansan: cards that had it no longer show it; their update time does not move (UNCONFIRMED).
  app.delete('/sandbox/tags/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!ctx.state.tags.remove(id)) throw controlNotFound(`No tag ${id}.`);
    ctx.state.touch();
    return reply.code(204).send();
  });

  app.post('/sandbox/tags', async (request, reply) => {
    const body = parseControlBody(request, tagControlSchema);
    const user = owner(body.ownerUserId);
    for (const id of body.sharedWithUserIds ?? []) owner(id);
    if (body.type !== 'shared' && body.sharedWithUserIds?.length) throw controlInvalid('sharedWithUserIds', 'only shared tags are shared with users');
    const tag = ctx.state.tags.add({
      id: randomHexId(),
      name: body.name,
      type: body.type,
      ownerUserId: user.id,
      sharedWithUserIds: body.sharedWithUserIds ?? [],
    });
    ctx.state.touch();
    return reply.code(201).send({ ...apiTag(ctx.state, tag), sharedWithUserIds: tag.sharedWithUserIds });
  });
}

/** Tag names to ids among the tags the owner sees (their private ones first, then shared, then public). */
function tagIdsFor(state: TenantState, user: SansanUser, names: string[]): string[] {
  const rank = { private: 0, shared: 1, public: 2 };
  const ids: string[] = [];
  for (const name of new Set(names)) {
    const found = state.tags.list.filter((t) => t.name === name && state.tags.visibleTo(user.id, t)).sort((a, b) => rank[a.type] - rank[b.type])[0];
    ids.push(found ? found.id : state.tags.add({ id: randomHexId(), name, type: 'public', ownerUserId: user.id, sharedWithUserIds: [] }).id);
  }
  return ids;
}
