/**
 * The custom contact properties the default mappings write (readings and
 * department have no standard HubSpot property): created when missing, in the
 * contact information group, before mappings are checked.
 */
import { ValidationError } from '../../errors.ts';
import type { HubSpotApi } from '../../hubspot/api.ts';
import type { Mapping } from '../../sync/engine/settings.ts';
import { CUSTOM_PROPERTIES } from './cards.ts';

/**
 * Returns the properties still missing: creating them needs the `crm.schemas.contacts.write` scope,
 * which Spokes' HubSpot app does not ask for by default — then the admin creates them in HubSpot (or
 * switches those mappings off), and saving names the missing property.
 */
export async function ensureCustomProperties(api: HubSpotApi, mappings: readonly Mapping[]): Promise<string[]> {
  const wanted = CUSTOM_PROPERTIES.filter((p) => mappings.some((m) => m.enabled && m.hubspot === p.name));
  if (!wanted.length) return [];
  const existing = (await api.call('reading the contact property definitions', (c) => c.crm.properties.coreApi.getAll('contacts', false), {
    rateLimitRetries: 5,
  })) as unknown as { results: { name: string }[] };
  const have = new Set(existing.results.map((p) => p.name));
  const missing: string[] = [];
  for (const p of wanted) {
    if (have.has(p.name)) continue;
    const made = await api
      .call(
        `creating the contact property ${p.name}`,
        (c) =>
          c.crm.properties.coreApi.create('contacts', {
            name: p.name,
            label: p.label,
            type: 'string' as never,
            fieldType: 'text' as never,
            groupName: 'contactinformation',
          }),
        { rateLimitRetries: 5 },
      )
      .then(
        () => true,
        (err: Error & { remoteStatus?: number }) => {
          if (err.remoteStatus === 403) return false;
          throw err;
        },
      );
    if (!made) missing.push(p.name);
  }
  return missing;
}

/**
 * Saving mappings to custom properties Spokes could not create (HubSpot's 403: the scope is missing)
 * is refused naming each mapping and the scope, rather than later as every card's bare 403.
 */
export function refuseUncreatable(mappings: readonly Mapping[], missing: readonly string[]): void {
  const details = mappings.flatMap((m, i) =>
    m.enabled && missing.includes(m.hubspot)
      ? [
          {
            field: `sync.mappings.${i}.hubspot`,
            message: `HubSpot has no contact property "${m.hubspot}" and Spokes may not create it: the HubSpot connection lacks the scope crm.schemas.contacts.write. Create the property in HubSpot (single-line text), add the scope and connect HubSpot again, or switch this mapping off.`,
          },
        ]
      : [],
  );
  if (details.length) throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
}
