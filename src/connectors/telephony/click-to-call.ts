/**
 * Click-to-call (T6), shared by the admin API (`/api/telephony/calls…`,
 * routes-calls.ts) and the agent API (`/agent-api/calls…`, routes-agent.ts):
 * the two differ only in how they find the salesperson's binding and in who
 * may act on which call. The widget's engagement (C3) is agent-calls.ts'.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotConnectedError, ValidationError } from '../../errors.ts';
import { normalizePhone } from '../../hubspot/phone/index.ts';
import { PbxDialError } from './pbx.ts';
import type { Binding } from './bindings.ts';
import type { TelephonyContext } from './context.ts';

/** The body of both engagement routes: HubSpot's engagement id, as the SDK (number) or a page (string) sends it. */
export const engagementBody = z.object({ engagementId: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String) });

export interface PlacedCall {
  callId: string;
  extension: string;
  /** The number as the PBX dialled it (E.164 where it parses as one). */
  number: string;
}

export interface DialRequest {
  binding: Binding;
  /** The number as the user typed or clicked it. */
  number: string;
  /** The number's country when known (HubSpot's `countryCode`); else the connection's default region. */
  region?: string;
  /** Who asked, for the log line of a refusal. */
  via: 'admin' | 'agent';
  /** Set: no phone system connected is refused with this message before the number is read. */
  notConnectedMessage?: string;
}

/**
 * Rings the binding's extension, then dials the number. A PBX refusal (unknown extension,
 * undialable number…) answers 409 `dial_failed` with the salesperson's sentence and the reason;
 * failures the PBX finds later arrive as `call_failed` events on the user's stream.
 */
export async function placeCall(ctx: TelephonyContext, request: FastifyRequest, reply: FastifyReply, dial: DialRequest): Promise<PlacedCall | FastifyReply> {
  const { binding } = dial;
  const connection = await ctx.store.get();
  if (!connection && dial.notConnectedMessage) throw new NotConnectedError(dial.notConnectedMessage);
  const parsed = normalizePhone(dial.number, dial.region ?? connection?.settings.numbers.defaultRegion ?? ctx.services.config.defaultRegion);
  if (!parsed) throw new ValidationError(`"${dial.number}" is not a phone number.`, [{ field: 'body.number', message: 'not a phone number' }]);
  const number = parsed.e164 ?? parsed.digits;
  const adapter = await ctx.registry.adapter();
  try {
    const { callId } = await adapter.dial(binding.extension, number);
    // A failure the PBX reports without naming a party (an offline phone) still reaches this user's stream.
    ctx.router.dialled(callId, binding.extension);
    return { callId, extension: binding.extension, number };
  } catch (err) {
    if (!(err instanceof PbxDialError)) throw err;
    request.log.info(
      { reason: err.reason, pbxReason: err.pbxReason, extension: binding.extension },
      `${dial.via === 'agent' ? 'agent ' : ''}dial refused by the PBX`,
    );
    return reply.status(409).send({ error: { code: 'dial_failed', message: err.message, reason: err.reason } });
  }
}
