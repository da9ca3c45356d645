/**
 * HubSpot webhooks (reference §10): the signed receiver, the job that applies
 * events to the phone index, and the subscriptions an app needs.
 */
export { registerHubSpotWebhookRoutes, signedUriCandidates } from './routes.ts';
export type { WebhookRouteDeps } from './routes.ts';
export { hubspotWebhookJobs, WEBHOOK_EVENTS_JOB } from './jobs.ts';
export { HUBSPOT_WEBHOOKS, configureSandboxWebhooks } from './subscriptions.ts';
export type { SandboxWebhookTarget, WebhookSubscriptionSpec } from './subscriptions.ts';
export { verifySignatureV3, signatureV3 } from './signature.ts';
export { applyWebhookEvents } from './apply-events.ts';
export type { ApplyReport } from './apply-events.ts';
