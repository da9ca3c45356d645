/**
 * The Yeastar P-Series OpenAPI response envelope and the error codes the
 * emulator answers with. Every API response is HTTP 200 with
 * `{errcode, errmsg, ...}`; a non-zero errcode is a failure (pbx-apis.md §1.1).
 *
 * Sources (stored copies of help.yeastar.com):
 *  [C-table] "Error Code and Error Message", p-series developer guide
 *            (help.yeastar.com/zh-cn/p-series/developer-guide/error-code-and-error-message.html)
 *  [C-resp]  "Response Result" (help.yeastar.com/en/p-series/developer-guide/response-result.html):
 *            wrong credentials → errcode -1 "FAILURE" with
 *            invalid_param_list [{field:"username or password", value:"error"}];
 *            a missing required parameter → 40002 with [{field, validation_type:"required"}].
 *  [3P]      public client code: 60002 on the 9th token, 70004 carries block_expire_time,
 *            a missing User-Agent gets 40002, an unknown endpoint or wrong method gets 10001.
 */
export const ERR = {
  INTERNAL: { errcode: -2, errmsg: 'INTERNAL SERVER ERROR' }, // [C-table]
  FAILURE: { errcode: -1, errmsg: 'FAILURE' }, // [C-table], [C-resp] wrong client id/secret
  INTERFACE_NOT_EXISTED: { errcode: 10001, errmsg: 'INTERFACE NOT EXISTED' }, // [C-table]
  TOKEN_EXPIRED: { errcode: 10004, errmsg: 'TOKEN EXPIRED' }, // [C-table] expired, revoked or unknown token
  ACCESS_DENIED: { errcode: 10005, errmsg: 'ACCESS DENIED' }, // [C-table]
  PARAMETER_SYNTAX_ERROR: { errcode: 40001, errmsg: 'PARAMETER SYNTAX ERROR' }, // [C-table] body is not JSON
  PARAMETER_ERROR: { errcode: 40002, errmsg: 'PARAMETER ERROR' }, // [C-table]
  DUPLICATE_KEY_VALUE: { errcode: 40003, errmsg: 'DUPLICATE KEY VALUE' }, // [C-table]
  DATA_NOT_FOUND: { errcode: 60001, errmsg: 'DATA NOT FOUND' }, // [C-table]
  MAX_LIMITATION_EXCEEDED: { errcode: 60002, errmsg: 'MAX LIMITATION EXCEEDED' }, // [C-table]; 9th token [3P]
  ACCOUNT_IP_BLOCKED: { errcode: 70004, errmsg: 'ACCOUNT IP BLOCKED' }, // [C-table]
  CONNECTION_RELATION_EXISTED: { errcode: 70091, errmsg: 'CONNECTION_RELATION_EXISTED' }, // [C-table] contact still in a phonebook
  PHONEBOOK_NOT_EXISTED: { errcode: 70093, errmsg: 'PHONEBOOK_NOT_EXISTED' }, // [C-table]
  CONTACTS_NOT_EXISTED: { errcode: 70128, errmsg: 'CONTACTS_NOT_EXISTED' }, // [C-table]
  // Spelling as in the vendor's table: "CAHNNEL".
  CHANNEL_ID_NOT_FOUND: { errcode: 70130, errmsg: 'CAHNNEL ID NOT FOUND' }, // [C-table]
  OPERATION_NOT_SUPPORTED: { errcode: 70132, errmsg: 'OPERATION NOT SUPPORTED' }, // [C-table]
} as const;

export type ErrDef = (typeof ERR)[keyof typeof ERR];

/** One entry of `invalid_param_list` as the PBX writes it ([C-resp]). */
export interface InvalidParam {
  field: string;
  value?: string;
  validation_type?: string;
}

/** Thrown by route handlers; the app's error handler renders it as the envelope. */
export class YeastarApiError extends Error {
  readonly def: ErrDef;
  readonly extra: Record<string, unknown>;
  constructor(def: ErrDef, extra: Record<string, unknown> = {}) {
    super(`${def.errcode} ${def.errmsg}`);
    this.name = 'YeastarApiError';
    this.def = def;
    this.extra = extra;
  }
  body(): Record<string, unknown> {
    return { errcode: this.def.errcode, errmsg: this.def.errmsg, ...this.extra };
  }
}

export function ok(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { errcode: 0, errmsg: 'SUCCESS', ...extra };
}

/** 40002 with the offending fields, in the documented shape. */
export function paramError(params: InvalidParam[]): YeastarApiError {
  return new YeastarApiError(ERR.PARAMETER_ERROR, { invalid_param_list: params });
}

export function required(field: string): YeastarApiError {
  return paramError([{ field, validation_type: 'required' }]);
}

export function invalid(field: string, value: unknown): YeastarApiError {
  return paramError([{ field, value: String(value) }]);
}
