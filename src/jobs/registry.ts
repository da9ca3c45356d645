/**
 * Every job type Spokes runs, in one hand-written list. A worker process works
 * all of them; enqueueing a type that is not listed here is an error.
 */
import type { JobDefinition } from './job.ts';
import type { Services } from '../services.ts';
import { diagnosticsJobs } from './diagnostics.ts';
import { hubspotJobs } from '../hubspot/index.ts';
import { phoneIndexJobs } from '../hubspot/phone/index.ts';
import { hubspotWebhookJobs } from '../hubspot/webhooks/index.ts';

export function allJobs(services: Services): JobDefinition[] {
  return [
    ...diagnosticsJobs,
    ...hubspotJobs(() => services.hubspot),
    ...phoneIndexJobs(() => ({ hubspot: services.hubspot, sync: services.phone.sync })),
    ...hubspotWebhookJobs(() => ({ api: services.hubspot.api, index: services.phone.index, log: services.log })),
  ] as JobDefinition[];
}
