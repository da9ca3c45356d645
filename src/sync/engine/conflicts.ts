/**
 * Conflict rules (reference §B.3), per connection and per two-way mapping:
 * "always use HubSpot", "always use the app", "most recent wins" (by each
 * record's own modification time). A value missing in the winning app changes
 * nothing; a value missing on the losing side is filled in (there is no
 * conflict). Returns only the properties that would change HubSpot.
 */
import type { ConflictRule, Mapping } from './settings.ts';
import type { HubSpotContact } from './hubspot-side.ts';

export function resolveToHubSpot(
  desired: Record<string, string>,
  existing: HubSpotContact | undefined,
  remoteModifiedAt: Date,
  rule: ConflictRule,
  mappings: readonly Mapping[],
): Record<string, string> {
  if (!existing) return desired;
  const hubspotModified = Date.parse(existing.properties.lastmodifieddate ?? '') || 0;
  const out: Record<string, string> = {};
  for (const [prop, value] of Object.entries(desired)) {
    const current = existing.properties[prop] ?? '';
    if (same(prop, current, value)) continue;
    const r = mappings.find((m) => m.hubspot === prop)?.conflict ?? rule;
    const remoteWins = r === 'remote' || (r === 'recent' && remoteModifiedAt.getTime() > hubspotModified) || current.trim() === '';
    if (remoteWins) out[prop] = value;
  }
  return out;
}

function same(prop: string, a: string, b: string): boolean {
  if (prop === 'email') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a.trim() === b.trim();
}
