/**
 * `spokes calling-settings register|update|show|delete` (C1): the same calls as
 * the admin page's Calling widget section, from a terminal.
 *
 * Credentials: `--app-id` and `--developer-key` (saved, sealed, when the
 * database is available), else the saved ones, else — sandbox mode with Spokes
 * running — the emulator's own app. The widget URL: `--url`, else the one
 * Spokes serves (needs the database). With the embedded database a running
 * Spokes holds it; the command then works from its flags alone.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { SpokesError, ValidationError } from '../errors.ts';
import { HUBSPOT } from './manifest.ts';
import { SANDBOX_APP_NAME } from './manifest.ts';
import {
  CALLING_DEFAULTS,
  CallingSettingsService,
  localOverrideSnippet,
  type CallingSettings,
  type RegisteredCallingSettings,
  recordingUrlTemplate,
} from './calling-settings.ts';

export const CALLING_SETTINGS_USAGE = `Usage: spokes calling-settings <register|update|show|delete> [options]

Registers the Spokes calling widget with HubSpot (the app's calling settings).

Credentials (saved sealed in Spokes once given; in sandbox mode the emulator's app is used):
  --app-id <id>            the HubSpot app id (developer account → Apps)
  --developer-key <key>    the developer account's API key (hapikey)

Settings (register uses the defaults for what is not given; update changes only what is given):
  --url <url>              the widget URL (default: the one this Spokes serves)
  --name <text>            shown in HubSpot's "Call from" menu (default "${CALLING_DEFAULTS.name}")
  --width <px> --height <px>   iframe size (default ${CALLING_DEFAULTS.width}×${CALLING_DEFAULTS.height})
  --ready | --not-ready    isReady: visible to every user of installed accounts (default: not ready, for testing)
  --[no-]inbound           supportsInboundCalling (default on)
  --[no-]custom-objects    supportsCustomObjects (default on)
  --[no-]calling-window    usesCallingWindow (default off)
  --[no-]remote            usesRemote (default off)
  --json                   print the settings as JSON
`;

/** What the command needs of Spokes' database: no job queue, no server. */
export interface CallingSettingsStore {
  db: Db;
  secretBox: SecretBox;
  /** The API base URL of the saved HubSpot connection, if any. */
  connectionBaseUrl(): Promise<string | undefined>;
  /** The widget URL this Spokes serves (from the telephony connector). */
  widgetUrl(): Promise<string>;
  close(): Promise<void>;
}

export interface CallingSettingsCliDeps {
  config: Config;
  log: Logger;
  /** Opens the database; rejects with code `conflict` when a running Spokes holds the embedded database. */
  openStore(): Promise<CallingSettingsStore>;
  out(text: string): void;
}

const OPTIONS = {
  'app-id': { type: 'string' },
  'developer-key': { type: 'string' },
  url: { type: 'string' },
  name: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  ready: { type: 'boolean' },
  'not-ready': { type: 'boolean' },
  inbound: { type: 'boolean' },
  'no-inbound': { type: 'boolean' },
  'custom-objects': { type: 'boolean' },
  'no-custom-objects': { type: 'boolean' },
  'calling-window': { type: 'boolean' },
  'no-calling-window': { type: 'boolean' },
  remote: { type: 'boolean' },
  'no-remote': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function runCallingSettings(args: string[], deps: CallingSettingsCliDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ValidationError(`${(err as Error).message}\n\n${CALLING_SETTINGS_USAGE}`);
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help || !action) {
    deps.out(CALLING_SETTINGS_USAGE);
    return action || values.help ? 0 : 2;
  }
  if (!['register', 'update', 'show', 'delete'].includes(action) || positionals.length > 1) {
    throw new ValidationError(`unknown action "${positionals.join(' ')}": use register, update, show or delete\n\n${CALLING_SETTINGS_USAGE}`);
  }
  const changes = settingsFromFlags(values);

  let store: CallingSettingsStore | undefined;
  try {
    store = await deps.openStore();
  } catch (err) {
    if (!(err instanceof SpokesError && err.code === 'conflict')) throw err;
    deps.log.debug({ err: err.message }, 'database in use: working from the flags alone');
  }
  try {
    const sandbox = store ? undefined : await runningSandbox(deps.config);
    const flagCreds = values['app-id'] ? { appId: Number(values['app-id']), developerApiKey: values['developer-key'] ?? '' } : undefined;
    if (flagCreds && !/^\d+$/.test(values['app-id']!)) throw new ValidationError(`--app-id must be a number, e.g. 3100001 (got "${values['app-id']}")`);
    if (!flagCreds && values['developer-key']) throw new ValidationError('--developer-key needs --app-id too');
    const calling = new CallingSettingsService({
      db: store?.db,
      secretBox: store?.secretBox,
      baseUrl: async () => (await store?.connectionBaseUrl()) ?? sandbox?.baseUrl ?? deps.config.hubspotBaseUrl ?? HUBSPOT.apiBaseUrl,
      sandboxCredentials: () => sandbox?.app,
      recordingUrl: () => recordingUrlTemplate(deps.config.publicUrl),
    });
    if (flagCreds) {
      if (store) await calling.saveCredentials({ appId: flagCreds.appId, developerApiKey: values['developer-key'] });
      else if (!flagCreds.developerApiKey) throw new ValidationError('--app-id needs --developer-key while a running Spokes holds the database');
      // biome-ignore lint/correctness/useHookAtTopLevel: not a React hook, a method that takes credentials for this run
      else calling.useCredentials(flagCreds);
    }
    if (!store && !flagCreds && !sandbox) {
      throw new ValidationError(
        'a running Spokes holds the embedded database, so the saved app id and key cannot be read: pass --app-id and --developer-key, stop Spokes first, or use the admin page (HubSpot → Calling widget)',
      );
    }

    let result: RegisteredCallingSettings | null;
    if (action === 'show') {
      result = await calling.show();
    } else if (action === 'delete') {
      const deleted = await calling.remove();
      deps.out(deleted ? 'Calling settings deleted: HubSpot no longer offers the widget.\n' : 'There were no calling settings to delete.\n');
      return 0;
    } else if (action === 'register') {
      const url = changes.url ?? (store ? await store.widgetUrl() : undefined);
      if (!url)
        throw new ValidationError(
          '--url is needed: copy the widget URL from the admin page (HubSpot → Calling widget), or stop Spokes so the command can read it',
        );
      result = await calling.register({ ...CALLING_DEFAULTS, ...changes, url });
    } else {
      if (Object.keys(changes).length === 0) throw new ValidationError('nothing to update: give at least one setting, e.g. --ready');
      result = await calling.update(changes);
    }
    deps.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatSettings(result, action));
    return 0;
  } finally {
    await store?.close();
  }
}

function settingsFromFlags(v: Values): Partial<CallingSettings> {
  const out: Partial<CallingSettings> = {};
  const pair = (on: boolean | undefined, off: boolean | undefined, flag: string): boolean | undefined => {
    if (on && off) throw new ValidationError(`--${flag} and --no-${flag} contradict each other`);
    return on ? true : off ? false : undefined;
  };
  const number = (raw: string | undefined, flag: string): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) throw new ValidationError(`--${flag} is a number of pixels, e.g. 400 (got "${raw}")`);
    return Number(raw);
  };
  if (v.url !== undefined) out.url = v.url;
  if (v.name !== undefined) out.name = v.name;
  const width = number(v.width, 'width');
  const height = number(v.height, 'height');
  if (width !== undefined) out.width = width;
  if (height !== undefined) out.height = height;
  if (v.ready && v['not-ready']) throw new ValidationError('--ready and --not-ready contradict each other');
  if (v.ready || v['not-ready']) out.isReady = !!v.ready;
  const flags: [keyof CallingSettings, string, boolean | undefined, boolean | undefined][] = [
    ['supportsInboundCalling', 'inbound', v.inbound, v['no-inbound']],
    ['supportsCustomObjects', 'custom-objects', v['custom-objects'], v['no-custom-objects']],
    ['usesCallingWindow', 'calling-window', v['calling-window'], v['no-calling-window']],
    ['usesRemote', 'remote', v.remote, v['no-remote']],
  ];
  for (const [key, flag, on, off] of flags) {
    const value = pair(on, off, flag);
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function formatSettings(s: RegisteredCallingSettings | null, action: string): string {
  if (!s) return 'No calling settings are registered for this app. Register them with: spokes calling-settings register\n';
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    action === 'register' ? 'Calling widget registered.' : action === 'update' ? 'Calling settings updated.' : 'Calling settings:',
    `  name                    ${s.name}`,
    `  url                     ${s.url}`,
    `  size                    ${s.width} × ${s.height} px`,
    `  isReady                 ${yes(s.isReady)}${s.isReady ? '' : ' (testing: only browsers with the override below show it)'}`,
    `  supportsInboundCalling  ${yes(s.supportsInboundCalling)}`,
    `  supportsCustomObjects   ${yes(s.supportsCustomObjects)}`,
    `  usesCallingWindow       ${yes(s.usesCallingWindow)}`,
    `  usesRemote              ${yes(s.usesRemote)}`,
    `  updated                 ${s.updatedAt}`,
  ];
  if (!s.isReady) lines.push('', 'To test in your browser, run this in the DevTools console of a HubSpot tab, then reload:', localOverrideSnippet(s));
  return `${lines.join('\n')}\n`;
}

/** Sandbox mode with Spokes running: the emulator's URL and app, from the server's loopback-only `/api/sandbox`. */
async function runningSandbox(config: Config): Promise<{ baseUrl: string; app: { appId: number; developerApiKey: string } } | undefined> {
  if (!config.sandboxMode) return undefined;
  const res = await fetch(`http://127.0.0.1:${config.port}/api/sandbox`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const info = (await res.json()) as { hubspot?: { baseUrl: string; apps: { name: string; appId: number; developerApiKey: string }[] } };
  const app = info.hubspot?.apps.find((a) => a.name === SANDBOX_APP_NAME);
  return info.hubspot && app ? { baseUrl: info.hubspot.baseUrl, app: { appId: app.appId, developerApiKey: app.developerApiKey } } : undefined;
}
