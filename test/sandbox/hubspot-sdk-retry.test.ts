/**
 * `@hubspot/api-client` retries a 429 only for the exact policy and message the
 * emulator sends (reference §12): TEN_SECONDLY_ROLLING after 10 s × attempt, the
 * search "secondly" message after 1 s × attempt, and never DAILY. The ten-secondly
 * case really waits 10 s, so this file takes about 12 s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@hubspot/api-client';
import { installApp, startContractSandbox, type ContractSandbox } from '../support/hubspot-harness.ts';

describe('@hubspot/api-client retries against the sandbox limits', () => {
  let env: ContractSandbox;
  before(async () => {
    env = await startContractSandbox({ limits: { tenSecondly: 2, searchPerSecond: 1, daily: 1 } });
  });
  after(() => env.stop());

  it('waits out TEN_SECONDLY_ROLLING and succeeds on the retry', async () => {
    const installed = await installApp(env.sandbox);
    const client = new Client({ basePath: env.sandbox.url, accessToken: installed.accessToken, numberOfApiCallRetries: 2 });
    await client.crm.contacts.basicApi.getPage(1);
    await client.crm.contacts.basicApi.getPage(1);
    const started = Date.now();
    const page = await client.crm.contacts.basicApi.getPage(1);
    const waited = Date.now() - started;
    assert.ok(Array.isArray(page.results));
    assert.ok(waited >= 9_500 && waited < 15_000, `waited ${waited} ms`);
    const route = env.sandbox.stats().byPortal[String(installed.portalId)].byApp[String(installed.appId)].byRoute['GET /crm/v3/objects/:objectType'];
    assert.deepEqual(route, { '200': 3, '429': 1 });
  });

  it('retries the search secondly limit after a second', async () => {
    const installed = await installApp(env.sandbox, { name: 'Search app' });
    const client = new Client({ basePath: env.sandbox.url, accessToken: installed.accessToken, numberOfApiCallRetries: 2 });
    const body = { filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' };
    await client.crm.contacts.searchApi.doSearch(body);
    const started = Date.now();
    await client.crm.contacts.searchApi.doSearch(body);
    assert.ok(Date.now() - started >= 900);
    const route = env.sandbox.stats().byPortal[String(installed.portalId)].byApp[String(installed.appId)].byRoute['POST /crm/v3/objects/:objectType/search'];
    assert.deepEqual(route, { '200': 2, '429': 1 });
  });

  it('does not retry the DAILY limit', async () => {
    const client = new Client({ basePath: env.sandbox.url, accessToken: env.sandbox.info().portals[2].privateAppToken, numberOfApiCallRetries: 3 });
    await client.crm.contacts.basicApi.getPage(1);
    const started = Date.now();
    const error = await client.crm.contacts.basicApi.getPage(1).catch((e) => e);
    assert.equal(error.code, 429);
    assert.equal(error.body.policyName, 'DAILY');
    assert.ok(Date.now() - started < 1_000);
  });
});
