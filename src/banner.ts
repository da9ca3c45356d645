/**
 * What the commands print for people (not the log): the start-up banner — the
 * admin address, the password shown once, the sandbox's emulators and a sample
 * call whose result can be opened — set apart from the log lines by rules, the
 * `spokes sandbox` summary, and the one line for a port already in use.
 */
import type { Config } from './config.ts';
import type { Runtime } from './runtime.ts';
import type { Sandboxes } from './sandbox/sandboxes.ts';
import { version } from './version.ts';

const RULE = '─'.repeat(72);

/** The emulators' addresses and where their credentials are (never the credentials themselves). */
export function sandboxLines(sandboxes: Sandboxes, dataDir: string): string[] {
  const hubspot = sandboxes.hubspot.info();
  const pbx = sandboxes.yeastar.info();
  const sansan = sandboxes.sansan.info();
  const calcom = sandboxes.calcom.info();
  const immedio = sandboxes.immedio.info();
  const portal = hubspot.portals.find((p) => p.type === 'STANDARD');
  const extensions = pbx.extensions.map((e) => e.number);
  return [
    `HubSpot emulator   ${hubspot.baseUrl}${portal ? `   portal ${portal.portalId} (${portal.name}); its app pages at ${hubspot.baseUrl}/` : ''}`,
    `PBX emulator       ${pbx.baseUrl}   Yeastar P-Series, extensions ${extensions[0]}–${extensions.at(-1)}`,
    `Sansan emulator    ${sansan.baseUrl}   business cards: scan one with POST ${sansan.baseUrl}/sandbox/cards`,
    `Cal.com emulator   ${calcom.baseUrl}   bookings: make one with POST ${calcom.baseUrl}/sandbox/bookings`,
    `immedio emulator   ${immedio.baseUrl}   bookings: make one with POST ${immedio.baseUrl}/sandbox/bookings`,
    `Credentials (app, token, Client ID/Secret, API keys, webhook secrets): GET <each emulator>/sandbox/info, or all at once`,
    `  GET /api/sandbox on Spokes; kept in ${dataDir}/sandbox/. How to use them: docs/sandbox/ (hubspot, yeastar, sansan, booking).md`,
  ];
}

/** Printed once `spokes start` is ready: set apart from the log lines before and after it. */
export async function startBanner(config: Config, runtime: Runtime): Promise<string> {
  // The public URL (with SPOKES_PORT=0, the port it got once bound): the address whose cookies the admin gets.
  const base = runtime.services.hubspot.publicUrl;
  const where = runtime.database.engine === 'postgres' ? 'PostgreSQL' : `embedded database in ${config.dataDir}`;
  const lines = [`Spokes ${version} is running at ${runtime.url} (${where})`, '', `Admin:           ${base}/admin/`];
  const setup = runtime.adminPassword;
  if (setup?.generated) {
    lines.push(`Admin password:  ${setup.generated}`);
    lines.push('  Shown only this once and stored only as a hash. To replace it, start Spokes with SPOKES_ADMIN_PASSWORD=<new password>.');
  } else if (setup?.source === 'env') {
    lines.push('  Sign in with the password set in SPOKES_ADMIN_PASSWORD.');
  } else if (setup?.source === 'stored') {
    lines.push('  Sign in with the admin password printed on the first start. Lost it? Start Spokes with SPOKES_ADMIN_PASSWORD=<new password> to replace it.');
  }
  const sandboxes = runtime.services.sandboxes;
  if (sandboxes) {
    lines.push(
      '',
      'Sandbox mode (no HubSpot credentials configured): Spokes is connected to these emulators.',
      ...sandboxLines(sandboxes, config.dataDir).map((l) => `  ${l}`),
    );
    lines.push('', ...sampleCall(sandboxes, await sandboxes.sampleContact(), base));
  }
  return `\n${RULE}\n${lines.map((l) => (l ? `  ${l}` : '')).join('\n')}\n${RULE}\n\n`;
}

/** A call to simulate, and where its result shows: the caller's record page in the HubSpot emulator. */
function sampleCall(sandboxes: Sandboxes, contact: { name: string; phone: string; url: string } | null, spokesUrl: string): string[] {
  const pbx = sandboxes.yeastar.info().baseUrl;
  const external = contact?.phone ?? '+14155550100';
  const body = JSON.stringify({ direction: 'inbound', external, extension: '1001', outcome: 'answered', ringSeconds: 3, talkSeconds: 20 });
  return [
    `Try a call${contact ? ` from ${contact.name}` : ''} to extension 1001:`,
    `  curl -X POST ${pbx}/sandbox/calls -H 'content-type: application/json' -d '${body}'`,
    'The call rings 3 s and lasts 20 s. A few seconds after it ends, the engagement is in HubSpot:',
    contact ? `  ${contact.url}  (${contact.name}'s record, its timeline)` : `  ${spokesUrl}/admin/calls lists it with its link`,
    `Every call: ${spokesUrl}/admin/calls`,
  ];
}

/** `spokes sandbox`: where the emulators are. */
export function sandboxSummary(sandboxes: Sandboxes, dataDir: string): string {
  return `Sandbox emulators are running:\n${sandboxLines(sandboxes, dataDir)
    .map((l) => `  ${l}`)
    .join('\n')}\n`;
}

/** A port taken by something else: which one, and what to do, in one line. */
export function portInUseMessage(command: string, port: number, config: Config): string {
  if (command === 'sandbox') {
    return `port ${port} is already in use. \`npm start\` (sandbox mode) already runs the emulators, on the ports after Spokes' own (one per emulator): stop it first, or set SPOKES_SANDBOX_PORT to free ports.`;
  }
  if (port === config.port) {
    return `port ${port} is already in use: another Spokes (\`npm start\`) or another program listens there. Stop it, or set SPOKES_PORT to a free port.`;
  }
  return `port ${port}, for the sandbox emulators, is already in use (\`spokes sandbox\` running?). Stop it, or set SPOKES_SANDBOX_PORT to free ports.`;
}
