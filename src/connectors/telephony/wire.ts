/**
 * The telephony connector's wire types: what its admin API (routes-admin.ts, routes-history.ts)
 * answers, as zod schemas. The server types its answers with them and the admin UI
 * (ui/admin/phone-system/phone-api.ts) checks what it receives with them: one copy, so a
 * server/page mismatch is a compile error or a clear runtime error, never a broken page.
 * This file imports nothing but zod (the browser bundles it).
 */
import { z } from 'zod';

export const apiSettings = z.object({
  autoCreate: z.object({ inbound: z.boolean(), outbound: z.boolean() }),
  contactSync: z.object({
    enabled: z.boolean(),
    modules: z.array(z.enum(['contacts', 'companies'])),
    phonebookId: z.string().nullable(),
    phonebookName: z.string().nullable(),
  }),
  numbers: z.object({ defaultRegion: z.string().nullable(), outboundPrefix: z.string() }),
});

export const apiConnection = z.object({
  vendor: z.string(),
  baseUrl: z.string(),
  clientId: z.string(),
  webhookSecretSet: z.boolean(),
  pbx: z.looseObject({
    model: z.string().optional(),
    firmware: z.string().optional(),
    serialNumber: z.string().optional(),
  }),
  connectedAt: z.string(),
  enabled: z.boolean(),
  /** connecting, connected, error, disconnected, or disabled while the switch is off. */
  streamState: z.string(),
  lastError: z.string().nullable(),
  eventsSeenUntil: z.string().nullable(),
});

export const apiStatus = z.object({
  connection: apiConnection.nullable(),
  settings: apiSettings.nullable(),
  webhookUrl: z.string(),
  bindings: z.number(),
  today: z.object({ logged: z.number(), skipped: z.number(), failed: z.number() }),
});

export const apiUser = z.object({
  ownerId: z.string(),
  email: z.string().nullable(),
  name: z.string(),
  /** "Name - email", as the PBX's own HubSpot page lists users. */
  label: z.string(),
  extension: z.string().nullable(),
  source: z.enum(['auto', 'manual']).nullable(),
});

export const apiExtension = z.object({
  number: z.string(),
  name: z.string(),
  email: z.string().optional(),
  registered: z.boolean().optional(),
  /** The owner id of the HubSpot user bound to it. */
  boundTo: z.string().nullable(),
});

export const apiUsers = z.object({ users: z.array(apiUser), extensions: z.array(apiExtension) });

export const apiProposal = z.object({
  ownerId: z.string(),
  extension: z.string(),
  ownerName: z.string(),
  email: z.string().nullable(),
  extensionName: z.string(),
});

export const apiPhonebook = z.object({ id: z.string(), name: z.string(), contactCount: z.number(), crmOwned: z.boolean() });

export const apiCall = z.object({
  cdrId: z.string(),
  callId: z.string().nullable(),
  direction: z.string(),
  status: z.string(),
  extension: z.string().nullable(),
  externalNumber: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
  /** writing → logged; skipped with the reason in `detail`; retrying or failed with the last error in `detail`. */
  state: z.enum(['writing', 'logged', 'skipped', 'retrying', 'failed']),
  detail: z.string().nullable(),
  engagementId: z.string().nullable(),
  ownerId: z.string().nullable(),
  contactId: z.string().nullable(),
  companyId: z.string().nullable(),
  /** Names Spokes holds (bindings, phone index); null when it knows none. */
  ownerName: z.string().nullable().optional(),
  contactName: z.string().nullable().optional(),
  companyName: z.string().nullable().optional(),
  source: z.string(),
  contactUrl: z.string().nullable(),
  companyUrl: z.string().nullable().optional(),
  /** The call's own page in HubSpot, once logged. */
  hubspotUrl: z.string().nullable(),
  /** Spokes' signed link to the recording (streams it from the PBX). */
  recordingUrl: z.string().nullable(),
  /** An inbound call nobody answered. */
  missed: z.boolean(),
  /** Not logged, for a reason a retry can change (not an internal call). */
  retryable: z.boolean(),
});

export const apiCallPage = z.object({ calls: z.array(apiCall), nextCursor: z.string().nullable() });

export const apiSyncError = z.object({
  id: z.number(),
  kind: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  reason: z.string(),
  occurredAt: z.string(),
  recordUrl: z.string().nullable().optional(),
});

export type ApiPhoneStatus = z.infer<typeof apiStatus>;
export type ApiPhoneConnection = z.infer<typeof apiConnection>;
export type ApiPhoneSettings = z.infer<typeof apiSettings>;
export type ApiPhoneUser = z.infer<typeof apiUser>;
export type ApiExtension = z.infer<typeof apiExtension>;
export type ApiBindingProposal = z.infer<typeof apiProposal>;
export type ApiPhonebook = z.infer<typeof apiPhonebook>;
export type ApiCall = z.infer<typeof apiCall>;
export type ApiSyncError = z.infer<typeof apiSyncError>;

export interface ConnectInput {
  baseUrl: string;
  clientId: string;
  /** Left out: the saved one is kept (same PBX address and Client ID only). */
  clientSecret?: string;
  /** Left out: the saved one is kept; null removes it. */
  webhookSecret?: string | null;
}

export interface SettingsPatch {
  autoCreate?: Partial<ApiPhoneSettings['autoCreate']>;
  contactSync?: Partial<Omit<ApiPhoneSettings['contactSync'], 'phonebookName'>>;
  numbers?: Partial<ApiPhoneSettings['numbers']>;
  /** "Create new…": a new phonebook with this name becomes the sync target. */
  createPhonebook?: string;
}
