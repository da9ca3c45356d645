/**
 * Test support for the telephony connector: a Spokes process (in this process)
 * with both emulators, signed in as the admin, and helpers that read what a
 * user would look at — the calls HubSpot holds, the PBX's phonebook, the
 * admin API's answers. Each test file starts its own.
 *
 *   const t = await startTelephony();           // sandbox mode: connected, bound, enabled
 *   const { call_id } = t.pbx.simulateCall({ direction: 'inbound', external: '+14155550100', extension: '1001', ringSeconds: 0.2, talkSeconds: 1 });
 *   const [call] = await t.engagementsOf(call_id);
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubSpotSandbox } from '../../sandbox/hubspot/index.ts';
import type { YeastarSandbox } from '../../sandbox/yeastar/index.ts';
import { type AdminHttp, eventually, jobsIdle, type Spokes, type SpokesOptions, startSpokes } from '../support/world.ts';

export { sleep };

export interface Engagement {
  id: string;
  properties: Record<string, string | null>;
  contacts: string[];
  companies: string[];
}

export interface LoggedCall {
  cdrId: string;
  callId: string | null;
  direction: string;
  status: string;
  extension: string | null;
  externalNumber: string | null;
  // A call's state in the history: `retrying` and `writing` are on the way, the others final.
  state: 'writing' | 'retrying' | 'logged' | 'skipped' | 'failed';
  detail: string | null;
  engagementId: string | null;
  ownerId: string | null;
  contactId: string | null;
  companyId: string | null;
  /** Names Spokes holds for them (phone index, bindings); null when it knows none. */
  ownerName: string | null;
  contactName: string | null;
  companyName: string | null;
  contactUrl: string | null;
}

export interface Telephony extends Spokes {
  hubspot: HubSpotSandbox;
  pbx: YeastarSandbox;
  portalId: number;
  /** The portal's private-app token: what a person looking into HubSpot uses (not Spokes' budget). */
  token: string;
  /** A HubSpot API request with the private-app token; JSON in and out. */
  crm(method: string, path: string, body?: unknown): Promise<any>;
  /** Every call engagement HubSpot holds, with its contact and company associations. */
  engagements(): Promise<Engagement[]>;
  /** The ids a PBX call's engagement may carry as `hs_call_external_id`. */
  idsOf(callId: string): string[];
  /** The engagements HubSpot holds for one PBX call (by `hs_call_external_id`), once Spokes is done with the call. */
  engagementsOf(callId: string, timeoutMs?: number): Promise<Engagement[]>;
  /** Spokes' call log (`GET /api/telephony/calls`). */
  logged(): Promise<LoggedCall[]>;
  /** Waits until Spokes logged or skipped the call's record; returns its row. */
  loggedCall(callId: string, timeoutMs?: number): Promise<LoggedCall>;
  /** A contact in HubSpot (optionally with a primary company), once Spokes' phone index knows its number. */
  createContact(properties: Record<string, string>, company?: Record<string, string>): Promise<{ contactId: string; companyId?: string }>;
  /** A company in HubSpot, once Spokes' phone index knows its number. */
  createCompany(properties: Record<string, string> & { phone: string }): Promise<{ companyId: string }>;
  /** Waits until no telephony job is queued or running. */
  settle(timeoutMs?: number): Promise<void>;
  /** Waits until the PBX has ended these calls and written their records (whatever Spokes does with them). */
  callsEnded(callIds: string[]): Promise<void>;
  /** The owner bound to an extension in sandbox mode. */
  ownerOf(extension: string): Promise<string>;
}

/** Spokes in sandbox mode: both emulators, HubSpot connected, the PBX connected, users bound, the integration enabled. */
export async function startTelephony(opts: SpokesOptions = {}): Promise<Telephony> {
  const handle = await startSpokes({ sandbox: true, ...opts });
  const sandboxes = handle.runtime.services.sandboxes!;
  const portal = sandboxes.hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
  return withHelpers(handle, sandboxes.hubspot, sandboxes.yeastar, portal.portalId, portal.privateAppToken);
}

/**
 * A HubSpot API request as a person looking into HubSpot makes it, JSON in and out. The token's
 * rolling ten-second budget is shared with Spokes' own writes, and a test's own reads may meet the
 * faults it switched on: a 429 or a 5xx is asked again, backing off, for up to one whole window.
 */
export async function crmRequest(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const deadline = Date.now() + 12_000;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if ((res.status === 429 || res.status >= 500) && Date.now() < deadline) {
      await res.body?.cancel();
      await sleep(wait);
      continue;
    }
    const text = await res.text();
    if (res.status >= 400) throw new Error(`HubSpot ${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

export function withHelpers(handle: Spokes, hubspot: HubSpotSandbox, pbx: YeastarSandbox, portalId: number, token: string): Telephony {
  const crm = (method: string, path: string, body?: unknown) => crmRequest(hubspot.url, token, method, path, body);

  async function engagements(): Promise<Engagement[]> {
    const out: Engagement[] = [];
    let after: string | undefined;
    const props =
      'hs_timestamp,hs_call_title,hs_call_body,hs_call_direction,hs_call_status,hs_call_duration,hs_call_from_number,hs_call_to_number,hs_call_recording_url,hs_call_external_id,hs_call_disposition,hubspot_owner_id';
    do {
      const page = await crm('GET', `/crm/v3/objects/calls?limit=100&properties=${props}&associations=contacts,companies${after ? `&after=${after}` : ''}`);
      for (const r of page.results) {
        out.push({
          id: r.id,
          properties: r.properties,
          contacts: (r.associations?.contacts?.results ?? []).map((a: { id: string }) => a.id),
          companies: (r.associations?.companies?.results ?? []).map((a: { id: string }) => a.id),
        });
      }
      after = page.paging?.next?.after;
    } while (after);
    return out;
  }

  async function logged(): Promise<LoggedCall[]> {
    const res = await handle.admin.request('GET', '/api/telephony/calls?limit=200');
    if (res.status !== 200) throw new Error(`GET /api/telephony/calls → ${res.status} ${await res.text()}`);
    return ((await res.json()) as { calls: LoggedCall[] }).calls;
  }

  /**
   * The ids a call's engagement may carry: the PBX record's uid (what Spokes writes for every call), and
   * the live call id (the calling widget's engagement, until Spokes completes it with the record).
   */
  function idsOf(callId: string): string[] {
    const cdr = pbx.cdrs().find((c) => c.call_id === callId);
    return cdr ? [cdr.uid, callId] : [callId];
  }

  async function loggedCall(callId: string, timeoutMs = 20_000): Promise<LoggedCall> {
    return eventually(
      `Spokes to log call ${callId}`,
      async () => {
        const ids = idsOf(callId);
        const calls = await logged();
        const row = calls.find((c) => (c.callId === callId || ids.some((id) => c.cdrId === `uid:${id}`)) && c.state !== 'writing' && c.state !== 'retrying');
        if (!row) throw new Error(`calls: ${JSON.stringify(calls)}`);
        return row;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  const settle = (timeoutMs = 20_000) => jobsIdle(handle.runtime, 'telephony.', { timeoutMs });

  /** HubSpot tells Spokes by webhook (sandbox mode): waits until the phone index has the record's number. */
  async function untilIndexed(number: string, objectId: string, companyId?: string): Promise<void> {
    await eventually(
      `the phone index to learn ${number} of record ${objectId}`,
      async () =>
        (await handle.runtime.services.phone.index.lookup(number)).records.some((r) => r.objectId === objectId && (!companyId || r.companyId === companyId)),
      { timeoutMs: 15_000 },
    );
  }

  return {
    ...handle,
    hubspot,
    pbx,
    portalId,
    token,
    crm,
    engagements,
    logged,
    loggedCall,
    settle,
    idsOf,
    async callsEnded(callIds) {
      await eventually(`the PBX to end calls ${callIds.join(', ')}`, () => callIds.every((id) => pbx.cdrs().some((c) => c.call_id === id)));
    },
    async engagementsOf(callId, timeoutMs) {
      await loggedCall(callId, timeoutMs);
      await settle();
      const ids = idsOf(callId);
      return (await engagements()).filter((e) => ids.includes(e.properties.hs_call_external_id!));
    },
    async createContact(properties, company) {
      let companyId: string | undefined;
      if (company) companyId = (await crm('POST', '/crm/v3/objects/companies', { properties: company })).id;
      const contact = await crm('POST', '/crm/v3/objects/contacts', {
        properties,
        ...(companyId ? { associations: [{ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }] } : {}),
      });
      const number = properties.phone ?? properties.mobilephone;
      if (number) await untilIndexed(number, contact.id, companyId);
      return { contactId: contact.id, companyId };
    },
    async createCompany(properties) {
      const company = await crm('POST', '/crm/v3/objects/companies', { properties });
      await untilIndexed(properties.phone, company.id);
      return { companyId: company.id };
    },
    async ownerOf(extension) {
      const res = await handle.admin.request('GET', '/api/telephony/users');
      const body = (await res.json()) as { users: { ownerId: string; extension: string | null }[] };
      const user = body.users.find((u) => u.extension === extension);
      if (!user) throw new Error(`no user is bound to ${extension}`);
      return user.ownerId;
    },
  };
}

/** A valid US number no seeded HubSpot record has (seeds use 555-01xx in other area codes), different on each call. */
let nextNumber = Math.floor(Math.random() * 9_000);
export function freshNumber(): string {
  nextNumber += 1;
  return `+1650555${String(1_000 + (nextNumber % 9_000)).padStart(4, '0')}`;
}

/** Fast call timings for sandbox mode, whose PBX runs in real time. */
export const QUICK = { ringSeconds: 0.2, talkSeconds: 1 } as const;

export interface OwnEmulators {
  hubspot: HubSpotSandbox;
  pbx: YeastarSandbox;
  portalId: number;
  token: string;
  /** Owners seeded into the portal (besides the admin user). */
  owners: { id: string; userId: number; email: string }[];
  close(): Promise<void>;
}

/**
 * Emulators a test starts itself (Spokes outside sandbox mode, as in production): a HubSpot
 * portal with `owners` owners and a PBX whose extensions are given (time compressed by `timeScale`).
 */
export async function startEmulators(
  opts: {
    owners?: number;
    contacts?: number;
    extensions?: (owners: { email: string }[]) => { number: string; name: string; email: string }[];
    timeScale?: number;
    /** The PBX's WebSocket idle timeout, ms (default: the real 60 s compressed by `timeScale`, which drops Spokes' socket every few seconds). */
    wsIdleMs?: number;
  } = {},
): Promise<OwnEmulators> {
  const { startHubSpotSandbox } = await import('../../sandbox/hubspot/index.ts');
  const { startYeastarSandbox } = await import('../../sandbox/yeastar/index.ts');
  const hubspot = await startHubSpotSandbox();
  const portal = hubspot.info().portals.find((p) => p.type === 'STANDARD')!;
  const seeded = hubspot.seed({ portalId: portal.portalId, owners: opts.owners ?? 3, contacts: opts.contacts ?? 0, companies: 0 });
  const extensions = opts.extensions?.(seeded.owners) ?? seeded.owners.map((o, i) => ({ number: String(2001 + i), name: `Agent ${i + 1}`, email: o.email }));
  const pbx = await startYeastarSandbox({
    timeScale: opts.timeScale ?? 0.05,
    extensions,
    ...(opts.wsIdleMs === undefined ? {} : { limits: { wsIdleMs: opts.wsIdleMs } }),
  });
  return {
    hubspot,
    pbx,
    portalId: portal.portalId,
    token: portal.privateAppToken!,
    owners: seeded.owners,
    async close() {
      await pbx.close();
      await hubspot.close();
    },
  };
}

/**
 * Settings for a Spokes process that talks to `startEmulators()`' HubSpot with its private-app token. The PBX
 * emulator runs on this machine, so loopback addresses are allowed for the PBX (production refuses them).
 */
export function envFor(emulators: OwnEmulators, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SPOKES_SANDBOX: 'off',
    HUBSPOT_ACCESS_TOKEN: emulators.token,
    HUBSPOT_BASE_URL: emulators.hubspot.url,
    SPOKES_PBX_ADDRESSES: 'public,private,loopback',
    ...extra,
  };
}

/** What an admin does on the Phone system page: connect the PBX, accept the auto-bind proposal, switch the integration on. */
export async function setUpPhoneSystem(admin: AdminHttp, pbx: YeastarSandbox): Promise<void> {
  const info = pbx.info();
  const expectOk = async (res: Response, what: string) => {
    if (res.status !== 200) throw new Error(`${what} → ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  await expectOk(
    await admin.request('PUT', '/api/telephony/connection', {
      baseUrl: info.baseUrl,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      webhookSecret: info.webhookSecret,
    }),
    'connect',
  );
  const { proposals } = await expectOk(await admin.request('POST', '/api/telephony/bindings/auto'), 'auto-bind');
  await expectOk(
    await admin.request('PUT', '/api/telephony/bindings', {
      bindings: proposals.map((p: { ownerId: string; extension: string }) => ({ ownerId: p.ownerId, extension: p.extension })),
      source: 'auto',
    }),
    'bind',
  );
  await expectOk(await admin.request('PUT', '/api/telephony/enabled', { enabled: true }), 'enable');
}

/** Sends a frame to Spokes' PBX webhook the way the PBX does: raw JSON body, `X-Signature` over it. */
export async function postPbxWebhook(
  t: Pick<Telephony, 'url' | 'pbx'>,
  body: string | object,
  opts: { signature?: string | null; contentType?: string } = {},
): Promise<Response> {
  const { signWebhookBody } = await import('../../sandbox/yeastar/index.ts');
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = opts.signature === undefined ? signWebhookBody(t.pbx.info().webhookSecret, raw) : opts.signature;
  return fetch(`${t.url}/webhooks/telephony/yeastar`, {
    method: 'POST',
    body: raw,
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'user-agent': 'Yeastar-Webhook',
      ...(signature === null ? {} : { 'x-signature': signature }),
    },
  });
}

let nextUid = 0;
/** A 30012 New CDR frame as the PBX (clock in UTC) publishes it, for a call that started `agoSeconds` ago. */
export function cdrFrame(
  t: Pick<Telephony, 'pbx'>,
  fields: {
    call_from: string;
    call_to: string;
    type: 'Inbound' | 'Outbound' | 'Internal';
    status: string;
    talk_duration?: number;
    call_duration?: number;
    agoSeconds?: number;
  },
): { type: number; sn: string; msg: string; uid: string } {
  const start = new Date(Date.now() - (fields.agoSeconds ?? 2) * 1000);
  const time = start.toISOString().slice(0, 19).replace('T', ' ');
  const uid = `${time.replace(/\D/g, '')}T${String(++nextUid).padStart(4, '0')}`;
  const msg = {
    call_id: '',
    time_start: time,
    call_from: fields.call_from,
    call_to: fields.call_to,
    call_duration: fields.call_duration ?? 1,
    talk_duration: fields.talk_duration ?? 0,
    src_trunk_name: fields.type === 'Inbound' ? 'SIP-Trunk1' : ' ',
    dst_trunk_name: fields.type === 'Outbound' ? 'SIP-Trunk1' : ' ',
    pin_code: ' ',
    status: fields.status,
    type: fields.type,
    recording: '',
    did_number: ' ',
    did_name: ' ',
    agent_ring_time: 0,
    uid,
    call_note_id: '',
    enb_call_note: 0,
  };
  return { type: 30012, sn: t.pbx.info().serialNumber, msg: JSON.stringify(msg), uid };
}

export interface LiveEvent {
  seq: number;
  type: 'call' | 'call_failed';
  callId: string;
  state: string;
  direction: string | null;
  externalNumber: string | null;
  extension: string;
  ownerId: string;
  match: { objectType: 'contact' | 'company'; objectId: string; label: string | null; url: string; autoCreated: boolean } | null;
  searchUrl: string | null;
  message?: string;
  reason?: string;
}

export interface EventStreamClient {
  /** The `id:` of every event received, with the event. */
  events: LiveEvent[];
  status: number;
  waitFor(predicate: (events: LiveEvent[]) => boolean, what: string, timeoutMs?: number): Promise<LiveEvent[]>;
  close(): void;
}

/** A user's live call events (`GET /api/telephony/events?ownerId=`), read as a browser's EventSource would. */
export async function openEventStream(t: Pick<Telephony, 'url' | 'admin'>, ownerId: string, lastEventId?: number): Promise<EventStreamClient> {
  const controller = new AbortController();
  const res = await fetch(`${t.url}/api/telephony/events?ownerId=${encodeURIComponent(ownerId)}`, {
    headers: { cookie: t.admin.cookie, accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) },
    signal: controller.signal,
  });
  const events: LiveEvent[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (data) events.push(JSON.parse(data));
        }
        for (const w of waiters) w();
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    events,
    status: res.status,
    waitFor(predicate, what, timeoutMs = 15_000) {
      if (predicate(events)) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(events);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.map((e) => [e.seq, e.type, e.callId, e.state, e.extension]))}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () => controller.abort(),
  };
}
