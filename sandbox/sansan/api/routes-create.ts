/**
 * `POST /bizCards`: a card registered from data rather than a scan (reference §A.3).
 * It belongs to the key's user, is visible to the tenant and completed at once
 * (UNCONFIRMED: whether Sansan queues it for data entry first). Answers 201 `{item}`
 * (UNCONFIRMED: status and envelope).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cardFieldsShape, exchangeDateSchema, hasName, newCard } from '../model/card-input.ts';
import { apiUser, type ApiContext } from './context.ts';
import { badRequest, invalid } from './errors.ts';
import { apiCard } from './serialize.ts';

const createSchema = z
  .object({
    ...cardFieldsShape,
    exchangeDate: exchangeDateSchema.optional(),
    tagIds: z.array(z.string().min(1)).max(15, 'tagIds takes at most 15 tags').optional(),
  })
  .strict();

export function registerCreateRoute(app: FastifyInstance, ctx: ApiContext, base: string): void {
  app.post(`${base}/bizCards`, async (request, reply) => {
    const user = apiUser(ctx, request);
    const body = parseJsonBody(request.body);
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) {
      throw badRequest(
        parsed.error.issues.map((i) => ({
          code: 'invalid',
          field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.join('.') || 'body',
          message: i.code === 'unrecognized_keys' ? `Unknown field(s): ${i.keys.join(', ')}.` : i.message,
        })),
      );
    }
    const input = parsed.data;
    if (!hasName(input)) {
      throw badRequest(
        ['companyName', 'lastName', 'firstName']
          .map((field) => ({
            code: 'required',
            field,
            message: `At least one of companyName, lastName and firstName is required.`,
          }))
          .slice(0, 1),
      );
    }
    const tagIds = [...new Set(input.tagIds ?? [])];
    for (const id of tagIds) {
      const tag = ctx.state.tags.byId.get(id);
      if (!tag || !ctx.state.tags.visibleTo(user.id, tag)) throw invalid('tagIds', `Tag ${id} does not exist.`);
    }
    const card = newCard(ctx.state, input, { ownerUserId: user.id, entryStatus: 'completed', visibility: 'all', tagIds }, ctx.options.utcOffsetMinutes);
    ctx.state.cards.add(card);
    ctx.state.touch();
    return reply.code(201).send({ item: apiCard(ctx.state, user, card, true, ctx.options.utcOffsetMinutes) });
  });
}

/** Bodies arrive as text (http/app.ts) so a malformed one is a 400 naming `body`. */
export function parseJsonBody(raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') throw invalid('body', 'The request body must be a JSON object.');
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('body', 'The request body is not valid JSON.');
  }
}
