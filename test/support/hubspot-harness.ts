/**
 * Helpers for HubSpot emulator suites: a sandbox with the contract harness switched
 * on, a small JSON client over fetch, and an OAuth install done the way a user would
 * (approve → code → token exchange).
 */
import { startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from '../../sandbox/hubspot/index.ts';
import { createContractHarness, type ContractHarness } from './hubspot-contract.ts';

export interface ContractSandbox {
  sandbox: HubSpotSandbox;
  contract: ContractHarness;
  /** Closes the sandbox, then fails if any response broke the contract. */
  stop(): Promise<void>;
}

export async function startContractSandbox(options: HubSpotSandboxOptions = {}): Promise<ContractSandbox> {
  const contract = createContractHarness();
  const sandbox = await startHubSpotSandbox({ ...options, onResponse: contract.onResponse });
  return {
    sandbox,
    contract,
    stop: async () => {
      await sandbox.close();
      contract.assertClean();
    },
  };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** Visible text of an HTML page: tags dropped, entities decoded (assert on what a user reads). */
export function pageText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface InstalledApp {
  appId: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accessToken: string;
  refreshToken: string;
  portalId: number;
  developerApiKey: string;
}

export const ALL_CRM_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.owners.read',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
];

/** Registers an app and installs it into a portal through the real code/token exchange. */
export async function installApp(sandbox: HubSpotSandbox, options: { scopes?: string[]; portalId?: number; name?: string } = {}): Promise<InstalledApp> {
  const redirectUri = 'http://localhost:4321/oauth/callback';
  const scopes = options.scopes ?? ALL_CRM_SCOPES;
  const app = sandbox.registerApp({ name: options.name ?? 'Test app', redirectUrls: [redirectUri], scopes });
  const portalId = options.portalId ?? sandbox.info().portals[0].portalId;
  const { code } = sandbox.approveInstall({ clientId: app.clientId, redirectUri, scopes, portalId });
  const token = await call(sandbox.url, 'POST', '/oauth/v1/token', {
    form: { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: redirectUri, code },
  });
  if (token.status !== 200) throw new Error(`token exchange failed: ${token.status} ${token.text}`);
  return {
    appId: app.appId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri,
    portalId,
    accessToken: token.body.access_token,
    refreshToken: token.body.refresh_token,
    developerApiKey: app.developerApiKey,
  };
}
