/**
 * Who a request of the agent API acts for: the salesperson of its session
 * token (`Authorization: Bearer …`), never anything in the body. Shared by the
 * agent routes (routes-agent.ts) and the widget's sign-in (agent-sign-in.ts).
 */
import type { FastifyRequest } from 'fastify';
import { NotConnectedError, SpokesError, UnauthorizedError } from '../../errors.ts';
import { appBaseUrlFor } from '../../hubspot/manifest.ts';
import { AgentAuth } from './agent-auth.ts';
import type { Binding } from './bindings.ts';
import type { TelephonyContext } from './context.ts';

/** What both pages show of the signed-in salesperson. */
export interface ApiAgent {
  ownerId: string;
  userId: number | null;
  name: string;
  email: string | null;
  extension: string;
  portalId: number;
}

export const NOT_BOUND = 'Your HubSpot user is not bound to a PBX extension. Ask your Spokes admin to bind you on the Phone system page.';

export class AgentError extends SpokesError {
  constructor(code: 'not_bound' | 'wrong_portal', message: string) {
    super(code, message, { status: 409 });
  }
}

export interface AgentGuard {
  auth: AgentAuth;
  /** The connected HubSpot account; 409 not_connected without one. */
  portal(): Promise<{ portalId: number; appUrl: string }>;
  toAgent(b: Binding, portalId: number): ApiAgent;
  /** The session's salesperson and their binding; 401 without a live session, 409 when no longer bound. */
  agentOf(request: FastifyRequest): Promise<{ binding: Binding; expiresAt: Date }>;
  /** A new session for a bound salesperson, as `POST /agent-api/sessions` answers it. */
  sessionFor(binding: Binding): Promise<{ token: string; expiresAt: string; agent: ApiAgent }>;
}

const guards = new WeakMap<TelephonyContext, AgentGuard>();

/** One per process: a revocation made here is seen at once by every route here. */
export function agentGuard(ctx: TelephonyContext): AgentGuard {
  let guard = guards.get(ctx);
  if (!guard) guards.set(ctx, (guard = createGuard(ctx)));
  return guard;
}

function createGuard(ctx: TelephonyContext): AgentGuard {
  const { bindings, services } = ctx;
  const auth = new AgentAuth(services.database.db, services.secretBox);

  async function portal() {
    const connection = await services.hubspot.store.connection();
    if (!connection) throw new NotConnectedError('Spokes is not connected to HubSpot yet. Ask your Spokes admin to connect it.');
    return { portalId: connection.portalId, appUrl: appBaseUrlFor(connection.baseUrl) };
  }

  function toAgent(b: Binding, portalId: number): ApiAgent {
    return {
      ownerId: b.ownerId,
      userId: b.userId,
      name: b.ownerName || b.ownerEmail || `HubSpot user ${b.ownerId}`,
      email: b.ownerEmail,
      extension: b.extension,
      portalId,
    };
  }

  return {
    auth,
    portal,
    toAgent,
    async agentOf(request) {
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match) throw new UnauthorizedError('Sign in first: this request has no agent session (Authorization: Bearer …).');
      const claims = await auth.verifySession(match[1]!);
      if (!claims) throw new UnauthorizedError('Your Spokes sign-in has expired or was revoked. Sign in again.');
      const binding = await bindings.byOwner(claims.ownerId);
      if (!binding) throw new AgentError('not_bound', NOT_BOUND);
      return { binding, expiresAt: claims.expiresAt };
    },
    async sessionFor(binding) {
      const { portalId } = await portal();
      const session = await auth.issueSession(binding.ownerId);
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), agent: toAgent(binding, portalId) };
    },
  };
}
