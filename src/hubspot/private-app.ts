/**
 * Connecting with a private-app access token (ours, beside OAuth): the token
 * is checked against the account before anything is stored, including the
 * scopes Spokes needs.
 */
import { Client } from '@hubspot/api-client';
import { ValidationError } from '../errors.ts';
import type { ConnectionStore, NewConnection } from './connection-store.ts';
import { readAccount } from './install.ts';
import { hubspotErrorBody, hubspotStatus, jsonOrThrow } from './errors.ts';

/** A cheap read per scope Spokes needs; a 403 names what is missing. */
const PROBES: { scope: string; path: string }[] = [
  { scope: 'crm.objects.contacts.read', path: '/crm/v3/objects/contacts?limit=1' },
  { scope: 'crm.objects.companies.read', path: '/crm/v3/objects/companies?limit=1' },
  { scope: 'crm.objects.owners.read', path: '/crm/v3/owners?limit=1' },
];

export async function connectPrivateApp(deps: { store: ConnectionStore; baseUrl: string }, accessToken: string): Promise<NewConnection> {
  const token = accessToken.trim();
  if (!/^pat-[a-z0-9]+-[\w-]{8,}$/i.test(token)) {
    throw new ValidationError('That does not look like a private-app access token: it starts with "pat-" (e.g. pat-na1-…).', [
      { field: 'body.accessToken', message: 'must start with pat-' },
    ]);
  }
  let account;
  try {
    account = await readAccount(deps.baseUrl, token);
  } catch (err) {
    const status = (err as { remoteStatus?: number }).remoteStatus;
    if ((err as { code?: string }).code === 'auth_expired' || status === 401) {
      throw new ValidationError('HubSpot refused this access token: it is wrong, revoked or rotated. Copy the current one from the private app.', [
        { field: 'body.accessToken', message: 'refused by HubSpot' },
      ]);
    }
    throw err;
  }
  const client = new Client({ basePath: deps.baseUrl, accessToken: token, numberOfApiCallRetries: 0 });
  const missing: string[] = [];
  for (const probe of PROBES) {
    try {
      await jsonOrThrow(await client.apiRequest({ method: 'GET', path: probe.path }));
    } catch (err) {
      if (hubspotStatus(err) === 403) missing.push(probe.scope);
      else throw new ValidationError(`HubSpot answered an error while checking the token: ${hubspotErrorBody(err)?.message ?? (err as Error).message}`);
    }
  }
  if (missing.length) {
    throw new ValidationError(
      `The private app lacks scopes Spokes needs: ${missing.join(', ')}. Add them in the private app's Scopes tab and paste the token again.`,
      [{ field: 'body.accessToken', message: `missing scopes: ${missing.join(', ')}` }],
    );
  }
  const connection: NewConnection = {
    kind: 'private_app',
    baseUrl: deps.baseUrl,
    portalId: account.portalId,
    accountName: `HubSpot account ${account.portalId}`,
    hubDomain: null,
    connectedBy: null,
    scopes: PROBES.map((p) => p.scope),
    accessToken: token,
    refreshToken: null,
    accessExpiresAt: null,
  };
  await deps.store.saveConnection(connection);
  return connection;
}
