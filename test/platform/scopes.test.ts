/**
 * Every HubSpot scope a connector declares is one Spokes' HubSpot app asks for at install (required or
 * optional): a connector whose work needs a scope the app never requests would fail only in production.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUBSPOT } from '../../src/hubspot/manifest.ts';
import { platformConnectorList } from '../../src/platform/registry.ts';

test('the HubSpot app requests every scope a connector declares', () => {
  const requested = new Set<string>([...HUBSPOT.requiredScopes, ...HUBSPOT.optionalScopes]);
  const missing = platformConnectorList.flatMap((c) => c.manifest.hubspotScopes.filter((s) => !requested.has(s)).map((s) => `${c.manifest.slug}: ${s}`));
  assert.deepEqual(missing, []);
  assert.ok(requested.has('crm.schemas.contacts.write'), 'the Sansan sync creates contact properties');
});
