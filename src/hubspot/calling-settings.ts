/**
 * C1: the calling widget's registration in HubSpot — the calling settings of
 * the app (reference §11: POST/GET/PATCH/DELETE
 * `/crm/v3/extensions/calling/{appId}/settings`, developer API key as
 * `?hapikey=`, through `@hubspot/api-client`), and the app id + developer API
 * key that authorise those calls, sealed in `app_settings`. The key is
 * write-only: nothing here ever returns it. In sandbox mode both come from the
 * emulator (`/sandbox/info`) unless an admin saved others.
 *
 * Shared by the admin page (`calling-settings-routes.ts`) and the CLI
 * (`spokes calling-settings …`, `calling-settings-cli.ts`). It lives with the
 * HubSpot connection, not in the telephony connector, because it is about a
 * HubSpot app; the widget URL it registers is an input.
 */
import { eq } from 'drizzle-orm';
import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { appSettings } from '../db/schema.ts';
import { ConflictError, NotConnectedError, RemoteRejectedError, type SpokesError, ValidationError } from '../errors.ts';
import { hubspotErrorBody, hubspotStatus, mapHubSpotError } from './errors.ts';
import { HUBSPOT } from './manifest.ts';

const STORE_KEY = 'hubspot.calling_app';
const SEAL_CONTEXT = 'hubspot:developer_api_key';

/** The nine fields of HubSpot's SettingsRequest (§11; all required on POST). */
export interface CallingSettings {
  name: string;
  url: string;
  width: number;
  height: number;
  isReady: boolean;
  supportsCustomObjects: boolean;
  supportsInboundCalling: boolean;
  usesCallingWindow: boolean;
  usesRemote: boolean;
}

export interface RegisteredCallingSettings extends CallingSettings {
  createdAt: string;
  updatedAt: string;
}

/**
 * What Spokes registers unless told otherwise. `isReady: false` while testing (seed 004: HubSpot shows the
 * app to users only once it is true; a developer sees it earlier through the localStorage override).
 * The widget is a classic record-page widget (no calling window or remote), it creates engagements through
 * the SDK (so custom-object records work, C6) and it handles inbound calls (C4).
 */
export const CALLING_DEFAULTS: Omit<CallingSettings, 'url'> = {
  name: 'Spokes phone',
  width: 400,
  height: 600,
  isReady: false,
  supportsCustomObjects: true,
  supportsInboundCalling: true,
  usesCallingWindow: false,
  usesRemote: false,
};

/** HubSpot's per-browser override for local testing (seed 004; the old `LocalSettings:Sales:…` key is dead, SDK #45). */
export const LOCAL_OVERRIDE_KEY = 'LocalSettings:Calling:CallingExtensions';

/** The DevTools snippet that makes HubSpot load a widget from `url` in this browser only. */
export function localOverrideSnippet(settings: Pick<CallingSettings, 'name' | 'url'> & Partial<CallingSettings>): string {
  const value = { name: settings.name, url: settings.url, isReady: true, ...(settings.width ? { width: settings.width, height: settings.height } : {}) };
  return `localStorage.setItem(${JSON.stringify(LOCAL_OVERRIDE_KEY)}, JSON.stringify(${JSON.stringify(value, null, 2)}));`;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** HubSpot frames the widget in https://app.hubspot.com: an http page would be blocked as mixed content, except on this machine. */
const widgetUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((raw) => {
    try {
      const url = new URL(raw);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https:// address (http:// only for localhost): HubSpot loads the widget inside app.hubspot.com');

const size = (what: string) =>
  z
    .number({ error: `the ${what} in pixels, a whole number` })
    .int(`the ${what} in pixels, a whole number`)
    .min(200, `at least 200 pixels`)
    .max(2000, 'at most 2000 pixels');

export const callingSettingsSchema = z
  .object({
    name: z.string().trim().min(1, 'required: the name salespeople see in HubSpot\'s "Call from" menu').max(100, 'at most 100 characters'),
    url: widgetUrl,
    width: size('width'),
    height: size('height'),
    isReady: z.boolean(),
    supportsCustomObjects: z.boolean(),
    supportsInboundCalling: z.boolean(),
    usesCallingWindow: z.boolean(),
    usesRemote: z.boolean(),
  })
  .strict();

export const callingSettingsPatchSchema = callingSettingsSchema
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change: give at least one setting' });

export const credentialsSchema = z.object({
  appId: z
    .union([z.number(), z.string().trim().regex(/^\d+$/, 'the app id is a number, e.g. 3100001').transform(Number)])
    .pipe(z.number().int().positive('the app id is a number, e.g. 3100001')),
  /** Omitted: keep the saved key (the page never gets it back to resend). */
  developerApiKey: z.string().trim().min(8, "the developer API key from the developer account's Keys page").max(200).optional(),
});

export interface CallingCredentials {
  appId: number;
  developerApiKey: string;
  /** Where they came from: saved by an admin, or the sandbox's own app. */
  source: 'saved' | 'sandbox';
}

export interface CallingSettingsServiceOptions {
  /** Absent when a running Spokes holds the embedded database (the CLI then works from its flags). */
  db?: Db;
  secretBox?: SecretBox;
  /** The HubSpot API base URL (api.hubapi.com, or the sandbox). */
  baseUrl: () => Promise<string> | string;
  /** Sandbox mode: the emulator's Spokes app, used when nothing is saved. */
  sandboxCredentials?: () => { appId: number; developerApiKey: string } | undefined;
  /**
   * Where HubSpot asks Spokes for authenticated recording links (`recordingUrlTemplate`): registered
   * with the widget, so that recordings of older calls play from HubSpot's timeline.
   */
  recordingUrl?: () => string;
}

/** The calling app's `urlToRetrieveAuthedRecording` for a Spokes at `publicUrl` (§11: HubSpot replaces `%s`). */
export function recordingUrlTemplate(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${HUBSPOT.recordingPath}/%s`;
}

export class CallingSettingsService {
  readonly #opts: CallingSettingsServiceOptions;
  #given: CallingCredentials | undefined;

  constructor(opts: CallingSettingsServiceOptions) {
    this.#opts = opts;
  }

  /** Uses these credentials for this instance only, without saving them. */
  useCredentials(creds: { appId: number; developerApiKey: string }): void {
    this.#given = { ...creds, source: 'saved' };
  }

  async credentials(): Promise<CallingCredentials | null> {
    if (this.#given) return this.#given;
    const { db, secretBox } = this.#opts;
    const [row] = db && secretBox ? await db.select().from(appSettings).where(eq(appSettings.key, STORE_KEY)) : [];
    const saved = row?.value as { appId?: number; developerApiKeySealed?: string } | undefined;
    if (saved?.appId && saved.developerApiKeySealed) {
      return { appId: saved.appId, developerApiKey: secretBox!.decrypt(saved.developerApiKeySealed, SEAL_CONTEXT), source: 'saved' };
    }
    const sandbox = this.#opts.sandboxCredentials?.();
    return sandbox ? { ...sandbox, source: 'sandbox' } : null;
  }

  /** Saves the app id and key after HubSpot accepted them (a wrong key is refused here, not at the first register). */
  async saveCredentials(input: z.input<typeof credentialsSchema>): Promise<void> {
    const parsed = credentialsSchema.safeParse(input);
    if (!parsed.success)
      throw new ValidationError(
        'The app id or developer API key is not valid.',
        parsed.error.issues.map((i) => ({ field: `body.${i.path.join('.')}`, message: i.message })),
      );
    const current = await this.credentials();
    const developerApiKey = parsed.data.developerApiKey ?? (current?.source === 'saved' ? current.developerApiKey : undefined);
    if (!developerApiKey) throw new ValidationError('Enter the developer API key.', [{ field: 'body.developerApiKey', message: 'required' }]);
    const candidate = { appId: parsed.data.appId, developerApiKey, source: 'saved' as const };
    await this.#fetch(candidate).catch((err: unknown) => {
      if (err instanceof RemoteRejectedError && err.remoteStatus === 401) {
        throw new ValidationError('HubSpot refused this developer API key.', [
          { field: 'body.developerApiKey', message: 'HubSpot refused this key: copy it again from your developer account (Apps → Get HubSpot API key)' },
        ]);
      }
      throw err;
    });
    const { db, secretBox } = this.#opts;
    if (!db || !secretBox) throw new NotConnectedError('The database is not available to save the credentials.');
    const value = { appId: candidate.appId, developerApiKeySealed: secretBox.encrypt(developerApiKey, SEAL_CONTEXT) };
    await db
      .insert(appSettings)
      .values({ key: STORE_KEY, value })
      .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt: new Date() } });
  }

  async clearCredentials(): Promise<void> {
    await this.#opts.db?.delete(appSettings).where(eq(appSettings.key, STORE_KEY));
  }

  /** The registered settings, or null when the app has none. */
  async show(): Promise<RegisteredCallingSettings | null> {
    return this.#fetch(await this.#required());
  }

  async register(input: CallingSettings): Promise<RegisteredCallingSettings> {
    const settings = parseSettings(callingSettingsSchema, input);
    const creds = await this.#required();
    let registered: RegisteredCallingSettings;
    try {
      registered = toRegistered(await this.#client(creds, await this.#opts.baseUrl()).crm.extensions.calling.settingsApi.create(creds.appId, settings));
    } catch (err) {
      if (hubspotStatus(err) === 409)
        throw new ConflictError(
          `App ${creds.appId} already has calling settings: update them instead (spokes calling-settings update, or "Save changes" on the HubSpot page).`,
        );
      throw this.#mapped(err, creds, 'Registering the calling widget');
    }
    await this.#registerRecordingUrl();
    return registered;
  }

  async #registerRecordingUrl(): Promise<void> {
    if (this.#opts.recordingUrl) await this.setRecordingUrl(this.#opts.recordingUrl());
  }

  async update(patch: Partial<CallingSettings>): Promise<RegisteredCallingSettings> {
    const changes = parseSettings(callingSettingsPatchSchema, patch);
    const creds = await this.#required();
    let updated: RegisteredCallingSettings;
    try {
      updated = toRegistered(await this.#client(creds, await this.#opts.baseUrl()).crm.extensions.calling.settingsApi.update(creds.appId, changes));
    } catch (err) {
      throw this.#mapped(err, creds, 'Updating the calling settings');
    }
    await this.#registerRecordingUrl();
    return updated;
  }

  /** Registers, or updates what is registered: what sandbox start-up and "Save" want. */
  async upsert(input: CallingSettings): Promise<RegisteredCallingSettings> {
    return (await this.show()) ? this.update(input) : this.register(input);
  }

  /**
   * The URL HubSpot asks for an authenticated recording link (§11 recording settings,
   * `urlToRetrieveAuthedRecording`), or null when the app has none.
   */
  async recordingUrl(): Promise<string | null> {
    const creds = await this.#required();
    try {
      return (await this.#client(creds, await this.#opts.baseUrl()).crm.extensions.calling.recordingSettingsApi.getUrlFormat(creds.appId))
        .urlToRetrieveAuthedRecording;
    } catch (err) {
      if (hubspotStatus(err) === 404 && !/app .* not found/i.test(hubspotErrorBody(err)?.message ?? '')) return null;
      throw this.#mapped(err, creds, 'Reading the recording settings');
    }
  }

  /** Registers the recording URL (a template holding `%s`, which HubSpot replaces with the call's external id), or updates it. */
  async setRecordingUrl(url: string): Promise<void> {
    const creds = await this.#required();
    const current = await this.recordingUrl();
    if (current === url) return;
    const api = this.#client(creds, await this.#opts.baseUrl()).crm.extensions.calling.recordingSettingsApi;
    try {
      if (current === null) await api.registerUrlFormat(creds.appId, { urlToRetrieveAuthedRecording: url });
      else await api.updateUrlFormat(creds.appId, { urlToRetrieveAuthedRecording: url });
    } catch (err) {
      throw this.#mapped(err, creds, 'Saving the recording settings');
    }
  }

  /** True when settings were deleted, false when there were none. */
  async remove(): Promise<boolean> {
    const creds = await this.#required();
    if (!(await this.#fetch(creds))) return false;
    try {
      await this.#client(creds, await this.#opts.baseUrl()).crm.extensions.calling.settingsApi.archive(creds.appId);
      return true;
    } catch (err) {
      throw this.#mapped(err, creds, 'Deleting the calling settings');
    }
  }

  async #required(): Promise<CallingCredentials> {
    const creds = await this.credentials();
    if (!creds)
      throw new NotConnectedError(
        'Save the HubSpot app id and developer API key first (HubSpot page → Calling widget, or spokes calling-settings … --app-id … --developer-key …).',
      );
    return creds;
  }

  async #fetch(creds: CallingCredentials): Promise<RegisteredCallingSettings | null> {
    try {
      return toRegistered(await this.#client(creds, await this.#opts.baseUrl()).crm.extensions.calling.settingsApi.getById(creds.appId));
    } catch (err) {
      // 404: the app has no calling settings yet (or is not in this developer account: HubSpot says which).
      if (hubspotStatus(err) === 404 && !/app .* not found/i.test(hubspotErrorBody(err)?.message ?? '')) return null;
      throw this.#mapped(err, creds, 'Reading the calling settings');
    }
  }

  #client(creds: CallingCredentials, basePath: string): Client {
    return new Client({ developerApiKey: creds.developerApiKey, basePath, numberOfApiCallRetries: 2 });
  }

  /** HubSpot's own words for 4xx; a 401 here is the developer key, never the OAuth connection. */
  #mapped(err: unknown, creds: CallingCredentials, what: string): SpokesError {
    const status = hubspotStatus(err);
    const message = hubspotErrorBody(err)?.message;
    if (status === 401)
      return new RemoteRejectedError(
        `${what}: HubSpot refused the developer API key${creds.source === 'saved' ? ' saved in Spokes: save the current key again' : ''}.`,
        401,
        err,
      );
    if (status === 404)
      return new RemoteRejectedError(
        `${what}: ${message ?? `HubSpot does not know app ${creds.appId}`}. Check the app id: it is on the app's page in your developer account.`,
        404,
        err,
      );
    if (status === 400) return new ValidationError(`${what}: HubSpot refused the settings: ${message ?? 'bad request'}`);
    return mapHubSpotError(err, what);
  }
}

function parseSettings<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: `body.${i.path.join('.') || 'settings'}`, message: i.message }));
    throw new ValidationError(
      `The calling settings are not valid: ${details.map((d) => `${d.field.replace(/^body\./, '')} ${d.message}`).join('; ')}.`,
      details,
    );
  }
  return parsed.data;
}

function toRegistered(r: { createdAt: Date | string; updatedAt: Date | string } & CallingSettings): RegisteredCallingSettings {
  const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : String(d));
  return {
    name: r.name,
    url: r.url,
    width: r.width,
    height: r.height,
    isReady: r.isReady,
    supportsCustomObjects: r.supportsCustomObjects,
    supportsInboundCalling: r.supportsInboundCalling,
    usesCallingWindow: r.usesCallingWindow,
    usesRemote: r.usesRemote,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}
