/**
 * Deterministic seeding (`POST /sandbox/seed`, `seed` option): owners with e-mails,
 * companies and contacts with international names and phone numbers in many shapes,
 * contacts associated to a primary company, optional deals. The same seed on a fresh
 * portal gives the same records. Seeded writes send no webhooks.
 */
import type { ObjectService } from '../crm/object-service.ts';
import { hubspotDefinedType } from '../model/association-types.ts';
import type { DbRecord } from '../model/object-store.ts';
import type { Portal } from '../model/portal.ts';
import type { SandboxState } from '../model/sandbox-state.ts';
import { createRandom, pick } from '../random.ts';
import { DEAL_STAGES, INDUSTRIES, JOB_TITLES, LIFECYCLE_STAGES, LOCALES, type Locale } from './seed-data.ts';

export interface SeedRequest {
  contacts: number;
  companies: number;
  owners: number;
  deals: number;
  seed: number | string;
}

export interface SeedSummary {
  portalId: number;
  owners: Array<{ id: string; userId: number; email: string }>;
  companies: number;
  contacts: number;
  deals: number;
  firstContactId?: string;
  firstCompanyId?: string;
}

const SEED_SOURCE = { changeSource: 'IMPORT' };
const YEAR_MS = 365 * 24 * 3600 * 1000;

export function slug(text: string): string {
  return text
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function fill(shape: string, random: () => number): string {
  return shape.replace(/#/g, () => String(Math.floor(random() * 10)));
}

export function seedPortal(state: SandboxState, objects: ObjectService, portal: Portal, request: SeedRequest): SeedSummary {
  const random = createRandom(request.seed);
  const now = state.clock.now();
  const total = Math.max(1, request.companies + request.contacts + request.deals);
  // Creation times rise with every record, so time indexes only ever append.
  const start = now - YEAR_MS;
  let tick = 0;
  const nextTime = () => start + Math.floor((YEAR_MS * tick++) / total);

  const owners = [];
  for (let i = 0; i < request.owners; i++) {
    const locale = pick(random, LOCALES);
    const first = pick(random, locale.firstNames);
    const last = pick(random, locale.lastNames);
    const email = uniqueOwnerEmail(portal, `${slug(first)}.${slug(last)}`, portal.settings.domain);
    const user = state.addUser({ email, firstName: first, lastName: last, portalIds: [portal.portalId] });
    const owner = portal.ownerByUserId(user.userId)!;
    owner.teams = [{ id: String(9000 + (i % 3)), name: ['Inside Sales', 'Field Sales', 'Customer Success'][i % 3], primary: true }];
    owners.push(owner);
  }
  const ownerIds = owners.length > 0 ? owners.map((o) => String(o.id)) : [...portal.owners.keys()].map(String);

  const companies: Array<{ record: DbRecord; locale: Locale; domain: string }> = [];
  for (let i = 0; i < request.companies; i++) {
    const locale = pick(random, LOCALES);
    const name = `${pick(random, locale.companyWords)} ${pick(random, ['Systems', 'Partners', 'Trading', 'Logistics', 'Labs', 'Group'])} ${pick(random, locale.companySuffixes)}`;
    const domain = `${slug(name)}${i}.${locale.tld}`;
    const prepared = objects.prepareCreate(portal, 'companies', {
      properties: {
        name,
        domain,
        phone: fill(pick(random, locale.phoneShapes), random),
        city: pick(random, locale.cities),
        country: locale.country,
        industry: pick(random, INDUSTRIES),
        numberofemployees: String(5 + Math.floor(random() * 5000)),
        lifecyclestage: pick(random, LIFECYCLE_STAGES),
        ...(ownerIds.length ? { hubspot_owner_id: pick(random, ownerIds) } : {}),
      },
    });
    companies.push({ record: objects.commitCreate(portal, 'companies', prepared, SEED_SOURCE, { at: nextTime(), silent: true }), locale, domain });
  }

  const primary = hubspotDefinedType('contacts', 'companies', 1)!;
  let firstContactId: string | undefined;
  for (let i = 0; i < request.contacts; i++) {
    const company = companies.length > 0 ? companies[Math.floor(random() * companies.length)] : undefined;
    const locale = random() < 0.7 && company ? company.locale : pick(random, LOCALES);
    const first = pick(random, locale.firstNames);
    const last = pick(random, locale.lastNames);
    const properties: Record<string, string> = {
      firstname: first,
      lastname: last,
      email: `${slug(first)}.${slug(last)}${i}@${company?.domain ?? `example-${locale.region.toLowerCase()}.${locale.tld}`}`,
      phone: fill(pick(random, locale.phoneShapes), random),
      jobtitle: pick(random, JOB_TITLES),
      lifecyclestage: pick(random, LIFECYCLE_STAGES),
      city: pick(random, locale.cities),
      country: locale.country,
    };
    if (random() < 0.4) properties.mobilephone = fill(pick(random, locale.mobileShapes), random);
    if (company) properties.company = company.record.properties.name;
    if (ownerIds.length) properties.hubspot_owner_id = pick(random, ownerIds);
    const prepared = objects.prepareCreate(portal, 'contacts', { properties });
    if (company) prepared.associations.push({ toType: 'companies', toId: company.record.id, definition: primary });
    const record = objects.commitCreate(portal, 'contacts', prepared, SEED_SOURCE, { at: nextTime(), silent: true });
    firstContactId ??= String(record.id);
  }

  for (let i = 0; i < request.deals; i++) {
    const company = companies.length > 0 ? pick(random, companies) : undefined;
    const prepared = objects.prepareCreate(portal, 'deals', {
      properties: {
        dealname: `${company?.record.properties.name ?? 'New'} - ${pick(random, ['Renewal', 'Expansion', 'Pilot', 'New business'])}`,
        amount: String(1000 + Math.floor(random() * 99_000)),
        pipeline: 'default',
        dealstage: pick(random, DEAL_STAGES),
        closedate: String(now + Math.floor(random() * 90) * 86_400_000),
        ...(ownerIds.length ? { hubspot_owner_id: pick(random, ownerIds) } : {}),
      },
    });
    if (company) prepared.associations.push({ toType: 'companies', toId: company.record.id, definition: hubspotDefinedType('deals', 'companies', 5)! });
    objects.commitCreate(portal, 'deals', prepared, SEED_SOURCE, { at: nextTime(), silent: true });
  }

  state.touch();
  return {
    portalId: portal.portalId,
    owners: owners.map((o) => ({ id: String(o.id), userId: o.userId!, email: o.email })),
    companies: request.companies,
    contacts: request.contacts,
    deals: request.deals,
    firstContactId,
    firstCompanyId: companies[0] ? String(companies[0].record.id) : undefined,
  };
}

function uniqueOwnerEmail(portal: Portal, local: string, domain: string): string {
  const taken = new Set([...portal.owners.values()].map((o) => o.email));
  let candidate = `${local}@${domain}`;
  for (let n = 2; taken.has(candidate); n++) candidate = `${local}${n}@${domain}`;
  return candidate;
}
