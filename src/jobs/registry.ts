/**
 * Every job type Spokes runs, in one hand-written list. A worker process works
 * all of them; enqueueing a type that is not listed here is an error.
 */
import type { JobDefinition } from './job.ts';
import type { Services } from '../services.ts';
import { diagnosticsJobs } from './diagnostics.ts';
import { hubspotJobs } from '../hubspot/index.ts';

export function allJobs(services: Services): JobDefinition[] {
  return [
    ...diagnosticsJobs,
    ...hubspotJobs(() => services.hubspot),
  ] as JobDefinition[];
}
