/**
 * The HubSpot scopes the card sync needs (the manifest lists them) and which of them the HubSpot
 * connection lacks, in words an admin can act on — shown in status and sync health before a pass
 * runs into HubSpot's bare 403 (reference hubspot-api.md §9 `MISSING_SCOPES`). Scope per call, from
 * the OpenAPI specs' `security` (shared/reference/hubspot-openapi/CRM): reading contacts and their
 * property definitions `crm.objects.contacts.read`; batch create/update/upsert of contacts
 * `crm.objects.contacts.write`; creating a contact property `crm.schemas.contacts.write`.
 */
import type { HubSpotApi } from '../../hubspot/api.ts';
import { RemoteRejectedError } from '../../errors.ts';

export const HUBSPOT_SCOPES = [
  { scope: 'crm.objects.contacts.read', neededFor: 'matching cards to contacts by e-mail', required: true },
  { scope: 'crm.objects.contacts.write', neededFor: 'creating and updating contacts', required: true },
  {
    scope: 'crm.schemas.contacts.write',
    neededFor: 'creating the contact properties for readings and the department (or create them in HubSpot yourself, or switch those mappings off)',
    required: false,
  },
] as const;

export interface MissingScope {
  scope: string;
  neededFor: string;
  /** Without it no card syncs (else only the custom properties cannot be created). */
  required: boolean;
}

export interface ScopeReport {
  /** What HubSpot granted; null when HubSpot does not say (a private app). */
  granted: string[] | null;
  missing: MissingScope[];
}

export async function scopeReport(api: HubSpotApi): Promise<ScopeReport> {
  const granted = await api.grantedScopes();
  if (!granted) return { granted: null, missing: [] };
  const have = new Set(granted);
  return { granted, missing: HUBSPOT_SCOPES.filter((s) => !have.has(s.scope)).map((s) => ({ ...s })) };
}

/** One sentence naming the missing scopes and what each is for. */
export function describeMissing(missing: readonly MissingScope[]): string {
  const list = missing.map((m) => `${m.scope} (${m.neededFor})`).join('; ');
  return `The HubSpot connection lacks ${missing.length === 1 ? 'the scope' : 'the scopes'} ${list}: add ${missing.length === 1 ? 'it' : 'them'} to Spokes' HubSpot app and connect HubSpot again.`;
}

/** HubSpot's 403 `MISSING_SCOPES` in those words (the scopes it would have accepted), or null for any other error. */
export function scopeRefusal(err: unknown): string | null {
  if (!(err instanceof RemoteRejectedError) || err.remoteStatus !== 403) return null;
  const body = err.remoteBody as { category?: string; errors?: { context?: { requiredGranularScopes?: unknown } }[] } | undefined;
  if (body?.category !== 'MISSING_SCOPES') return null;
  const accepted = (body.errors ?? []).flatMap((e) => (Array.isArray(e.context?.requiredGranularScopes) ? e.context.requiredGranularScopes : [])).map(String);
  const known = HUBSPOT_SCOPES.filter((s) => accepted.includes(s.scope));
  return known.length
    ? describeMissing(known)
    : `HubSpot refused a call for a missing scope (${accepted.join(', ') || 'not named'}): add it to Spokes' HubSpot app and connect HubSpot again.`;
}
