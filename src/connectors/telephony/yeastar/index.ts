/**
 * The Yeastar P-Series adapter: `createYeastarAdapter(opts)` returns a
 * `PbxAdapter` (plus the Yeastar-only webhook helpers). Nothing outside this
 * folder imports its other modules.
 */
import { z } from 'zod';
import { AuthExpiredError, RemoteRejectedError, RemoteUnavailableError, ValidationError } from '../../../errors.ts';
import type { Logger } from '../../../logger.ts';
import { refusalOf, type AddressPolicy } from '../../../net/address-policy.ts';
import { errcodeOf } from './api-errors.ts';
import type { PbxAdapter, PbxCdr, PbxEventOptions, PbxEventStream, PbxExtension, PbxInfo } from '../pbx.ts';
import { cdrFromRow } from './cdr.ts';
import { YeastarClient, YeastarHttp } from './client.ts';
import { YeastarContacts } from './contacts.ts';
import { dial, hangup } from './dial.ts';
import { YeastarEventStream } from './events.ts';
import { resetLoginGuard } from './login-guard.ts';
import { yeastarManifest as M } from './manifest.ts';
import { clockFromSystemInfo, utcToPbxDisplay, type PbxClock } from './pbx-clock.ts';
import { YeastarPhonebooks } from './phonebooks.ts';
import { openRecording } from './recordings.ts';
import { acquireTokenManager, type YeastarTokenCache } from './token-manager.ts';
import { parseYeastarWebhook, verifyYeastarWebhook, type YeastarWebhookResult } from './webhook.ts';
import { apiCdrRowSchema, apiExtensionSchema, apiSystemInfoSchema, type ApiSystemInfo } from './wire.ts';

export { verifyYeastarWebhook, parseYeastarWebhook, type YeastarWebhookResult, type PbxClock };
export { yeastarManifest } from './manifest.ts';
export type { CachedYeastarTokens, YeastarTokenCache } from './token-manager.ts';

export interface YeastarAdapterOptions {
  /** The PBX web address, e.g. https://pbx.example.com:8088 or https://acme.yeastarcloud.com. */
  baseUrl: string;
  /** Integrations > API > Client ID. */
  clientId: string;
  /** Integrations > API > Client Secret. */
  clientSecret: string;
  /** The 32-character secret of the webhook Spokes receives, when webhooks are used. */
  webhookSecret?: string;
  log: Logger;
  /** Which addresses the PBX may be at, for every request and the WebSocket (the operator's SPOKES_PBX_ADDRESSES). */
  addresses: AddressPolicy;
  /** Tests: replaces the HTTP transport (see YeastarHttpOptions). */
  fetch?: typeof fetch;
  /** Persist tokens (encrypted) so that a restarted process reuses its token rather than taking another of the 8. */
  tokenCache?: YeastarTokenCache;
  /** Rows per list request (default manifest.pageSize, at most 10,000). */
  pageSize?: number;
}

const optionsSchema = z.object({
  baseUrl: z
    .string()
    .trim()
    .refine((u) => /^https?:\/\/[^/\s]+/i.test(u) && URL.canParse(u), 'must be a URL such as https://pbx.example.com:8088'),
  clientId: z.string().trim().min(1, 'the Client ID is required'),
  clientSecret: z.string().trim().min(1, 'the Client Secret is required'),
  webhookSecret: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined),
  pageSize: z.number().int().min(1).max(M.maxPageSize).optional(),
});

export interface YeastarAdapter extends PbxAdapter {
  /** The PBX clock's UTC offset and display format (cached for a few minutes). */
  pbxClock(): Promise<PbxClock>;
  /** Checks a webhook's X-Signature against `webhookSecret`; false when none is configured. */
  verifyWebhook(rawBody: Buffer | string, signatureHeader: string | string[] | undefined): boolean;
  /** Parses a verified webhook body into the same events as the stream. */
  parseWebhook(rawBody: Buffer | string): Promise<YeastarWebhookResult>;
}

/**
 * What the admin's "Connect" says when it fails. A Yeastar PBX's own answer (wrong credentials, API
 * disabled, IP blocked…) and the operator's address policy are named; anything else — a closed or
 * filtered port, a refused TLS handshake, a web server that is no PBX, a redirect — is one sentence,
 * so that the address field cannot be used to map what listens where on Spokes' network.
 */
function connectionProblem(err: unknown, origin: string): unknown {
  if (refusalOf(err) || errcodeOf(err) !== undefined || err instanceof AuthExpiredError) return err;
  return new RemoteUnavailableError(
    `Spokes could not reach a Yeastar PBX at ${origin}. Check the address (https://, the host and the port: 8088 by default ` +
      'on Software and Appliance editions, 443 on Cloud) and that the API is enabled under Integrations > API on the PBX.',
    err,
  );
}

/** An admin's explicit reconnect: allows new login attempts after Spokes stopped to avoid the PBX's IP block. */
export function resetYeastarLoginGuard(baseUrl: string): void {
  resetLoginGuard(new URL(baseUrl).origin);
}

export function createYeastarAdapter(input: YeastarAdapterOptions): YeastarAdapter {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new ValidationError('The Yeastar connection settings are incomplete.', details);
  }
  const opts = { ...input, ...parsed.data };
  const log = input.log.child({ pbx: new URL(opts.baseUrl).host, vendor: 'yeastar' });
  const http = new YeastarHttp({ baseUrl: opts.baseUrl, log, addresses: input.addresses, fetch: input.fetch });
  const { manager, release } = acquireTokenManager({ http, clientId: opts.clientId, clientSecret: opts.clientSecret, cache: input.tokenCache });
  const client = new YeastarClient(http, manager);
  const pageSize = opts.pageSize ?? M.pageSize;
  const phonebooks = new YeastarPhonebooks(client, pageSize);
  const contacts = new YeastarContacts(client, phonebooks, pageSize);
  const streams = new Set<YeastarEventStream>();

  let clock: { value: PbxClock; at: number } | undefined;
  let clockInflight: Promise<PbxClock> | undefined;
  const systemInformation = async (): Promise<ApiSystemInfo> => {
    const info = (await client.get(M.paths.systemInformation, {}, apiSystemInfoSchema)).data;
    try {
      clock = { value: clockFromSystemInfo(info), at: Date.now() };
    } catch (err) {
      throw new RemoteRejectedError(`Yeastar PBX ${http.host}: ${(err as Error).message}`, undefined, err);
    }
    return info;
  };
  const pbxClock = (): Promise<PbxClock> => {
    if (clock && Date.now() - clock.at < M.clockTtlMs) return Promise.resolve(clock.value);
    clockInflight ??= systemInformation()
      .then(() => clock!.value)
      .finally(() => {
        clockInflight = undefined;
      });
    return clockInflight;
  };

  async function* listCdrs(range: { from: Date; to: Date }): AsyncGenerator<PbxCdr> {
    if (!(range.from <= range.to)) throw new ValidationError('listCdrs needs from ≤ to.', [{ field: 'from', message: 'after to' }]);
    const c = await pbxClock();
    // The filter is in PBX local time with today's offset; widen it by an hour for a daylight-saving change in
    // between, then keep exactly the range by each row's own Unix timestamp.
    const margin = 3_600_000 + M.backfillSkewMs;
    const query = {
      start_time: utcToPbxDisplay(new Date(range.from.getTime() - margin), c),
      end_time: utcToPbxDisplay(new Date(range.to.getTime() + margin), c),
      sort_by: 'id',
      order_by: 'asc',
    };
    for await (const row of client.pages(M.paths.cdrSearch, query, apiCdrRowSchema, pageSize)) {
      const cdr = cdrFromRow(row);
      if (cdr.startedAt >= range.from && cdr.startedAt <= range.to) yield cdr;
    }
  }

  const adapter: YeastarAdapter = {
    vendor: M.vendor,
    capabilities: { phonebooks: true, recordings: true, webhooks: true },

    async verifyCredentials(): Promise<PbxInfo> {
      try {
        await manager.getToken();
        const info = await systemInformation();
        return {
          vendor: M.vendor,
          model: info.model_name,
          firmware: info.firmware_version,
          serialNumber: info.sn,
          utcOffsetMinutes: clock!.value.utcOffsetMinutes,
        };
      } catch (err) {
        throw connectionProblem(err, http.origin);
      }
    },

    async listExtensions(): Promise<PbxExtension[]> {
      const out: PbxExtension[] = [];
      for await (const e of client.pages(M.paths.extensionList, {}, apiExtensionSchema, pageSize)) {
        const endpoints = e.online_status ? Object.values(e.online_status) : undefined;
        out.push({
          number: e.number.trim(),
          name: e.caller_id_name.trim(),
          email: e.email_addr.trim() || undefined,
          registered: endpoints ? endpoints.some((s) => s.status === 1 || !!s.status_list?.some((l) => l.status === 1)) : undefined,
        });
      }
      return out;
    },

    dial: (from, to, dialOpts) => dial(client, from, to, dialOpts),
    hangup: (callId) => hangup(client, callId),
    listCdrs,
    openRecording: (ref) => openRecording(client, ref),

    phonebooks: {
      list: () => phonebooks.list(),
      create: (name) => phonebooks.create(name),
      setCrmOwned: (id, owned) => phonebooks.setCrmOwned(id, owned),
      isEmpty: (id) => phonebooks.isEmpty(id),
    },

    contacts: {
      list: (phonebookId) => contacts.list(phonebookId),
      get: (id) => contacts.get(id),
      create: (phonebookId, contact) => contacts.create(phonebookId, contact),
      update: (id, patch) => contacts.update(id, patch),
      delete: (id) => contacts.delete(id),
      findByTag: (tag) => contacts.findByTag(tag),
    },

    events(eventOpts?: PbxEventOptions): PbxEventStream {
      const stream: YeastarEventStream = new YeastarEventStream(
        { origin: http.origin, addresses: http.addresses, tokens: manager, clock: pbxClock, log, onClosed: () => streams.delete(stream) },
        eventOpts,
      );
      streams.add(stream);
      return stream;
    },

    pbxClock,

    verifyWebhook: (rawBody, header) => (opts.webhookSecret ? verifyYeastarWebhook(rawBody, header, opts.webhookSecret) : false),

    async parseWebhook(rawBody) {
      return parseYeastarWebhook(rawBody, await pbxClock());
    },

    async dispose(): Promise<void> {
      await Promise.all([...streams].map((s) => s.close()));
      streams.clear();
      await release();
      http.close();
    },
  };
  return adapter;
}
