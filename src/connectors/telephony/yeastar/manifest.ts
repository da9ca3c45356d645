/**
 * Provider facts of the Yeastar P-Series OpenAPI v1.0, in one place (STYLE.md §4).
 * Sources: shared/reference/pbx-apis.md §1 and the stored copies of
 * help.yeastar.com/en/p-series-*-edition/developer-guide/… cited per entry.
 */
import { version } from '../../../version.ts';

export const yeastarManifest = {
  vendor: 'yeastar',
  /** {base_url}/openapi/v1.0/{endpoint} ("Request Structure"). */
  apiPath: '/openapi/v1.0',
  /** "You MUST include a User-Agent header with every request" ("Get Access Token"); any non-empty value. */
  userAgent: `Spokes/${version} (OpenAPI)`,
  requestTimeoutMs: 15_000,

  paths: {
    getToken: 'get_token',
    refreshToken: 'refresh_token',
    delToken: 'del_token',
    systemInformation: 'system/information',
    extensionList: 'extension/list',
    callDial: 'call/dial',
    callQuery: 'call/query',
    callHangup: 'call/hangup',
    cdrSearch: 'cdr/search',
    recordingDownload: 'recording/download',
    contactList: 'company_contact/list',
    contactGet: 'company_contact/get',
    contactCreate: 'company_contact/create',
    contactUpdate: 'company_contact/update',
    contactDelete: 'company_contact/delete',
    phonebookList: 'phonebook/list',
    phonebookGet: 'phonebook/get',
    phonebookCreate: 'phonebook/create',
    phonebookUpdate: 'phonebook/update',
    subscribe: 'subscribe',
  },

  /** pbx-apis.md §1.2 ("Authorization Rule", "Get Access Token"). */
  tokens: {
    accessTtlSec: 1800,
    refreshTtlSec: 86_400,
    /** Renew this long before the access token expires (25 of 30 min), or after 5/6 of a shorter lifetime. */
    renewBeforeExpirySec: 300,
    /** "At most 8 valid access tokens at once" per client: the 9th get_token fails (60002). */
    maxValidTokens: 8,
    /** Failed authentications from one IP before the PBX blocks it (Security > Blocked IPs). */
    ipBlockAfterFailedLogins: 5,
    /** Spokes stops after this many rejected credential pairs per PBX, well under the block. */
    stopAfterRejectedLogins: 3,
  },

  /** WebSocket event push (pbx-apis.md §1.3a, "Monitor Events via WebSocket"). */
  websocket: {
    /** The PBX drops a socket after 60 s without traffic; heartbeat well inside that. */
    heartbeatMs: 50_000,
    reconnectInitialDelayMs: 1_000,
    reconnectMaxDelayMs: 60_000,
    handshakeTimeoutMs: 10_000,
  },

  /** Event ids (pbx-apis.md §1.4). 30016 (inbound call control) must never be subscribed. */
  events: {
    extensionCallStatus: 30008,
    callStatus: 30011,
    newCdr: 30012,
    callFailed: 30015,
  },
  /** The topics Spokes subscribes to. */
  topics: [30011, 30012, 30008, 30015],
  /** Every documented event id (30005–30036): anything else is "unknown" to the webhook parser. */
  knownEventRange: { min: 30005, max: 30036 },

  /** Lists: page_size default and maximum 10,000 ("Query CDR List", "Search Specific Company Contacts"). */
  pageSize: 1_000,
  maxPageSize: 10_000,

  /** A gap's back-fill reaches back this far: CDRs are filtered by start time but sent at the end of a call. */
  backfillLookbackMs: 4 * 3_600_000,
  /** …and forward this far, for skew between the PBX clock and ours. */
  backfillSkewMs: 120_000,
  /** How long a derived PBX UTC offset is trusted before system/information is asked again. */
  clockTtlMs: 10 * 60_000,

  /**
   * No API marks a phonebook read-only (pbx-apis.md §1.7 [U]), so Spokes marks
   * the phonebooks it owns by this name suffix and keeps them in line itself.
   */
  crmPhonebookSuffix: ' (CRM)',

  errcodes: {
    failure: -1,
    internal: -2,
    interfaceNotExisted: 10001,
    tokenExpired: 10004,
    accessDenied: 10005,
    parameterSyntax: 40001,
    parameterError: 40002,
    duplicateKey: 40003,
    dataNotFound: 60001,
    maxLimitationExceeded: 60002,
    accountIpBlocked: 70004,
    ipForbidden: 70087,
    connectionRelationExisted: 70091,
    phonebookNotExisted: 70093,
    contactsNotExisted: 70128,
    channelIdNotFound: 70130,
  },
} as const;

export type YeastarManifest = typeof yeastarManifest;
