/**
 * Yeastar answers every request with HTTP 200 and `{errcode, errmsg, …}`; a
 * non-zero errcode is a failure ("Response Result", "Error Code and Error
 * Message"). This module turns one into an error of our closed catalogue
 * (src/errors.ts), keeping the PBX's answer as the `cause`.
 */
import { AuthExpiredError, RemoteRejectedError, RemoteUnavailableError, type SpokesError } from '../../../errors.ts';
import { yeastarManifest } from './manifest.ts';

const E = yeastarManifest.errcodes;

export interface InvalidParam {
  field?: string;
  value?: string;
  validation_type?: string;
}

/** The PBX's error envelope, kept as the cause of the error we raise. */
export class YeastarEnvelopeError extends Error {
  readonly errcode: number;
  readonly errmsg: string;
  readonly path: string;
  readonly invalidParams: InvalidParam[];
  readonly body: Record<string, unknown>;
  constructor(path: string, body: Record<string, unknown>) {
    const errcode = Number(body.errcode);
    const errmsg = typeof body.errmsg === 'string' ? body.errmsg : '';
    super(`${path}: errcode ${errcode} ${errmsg}`);
    this.name = 'YeastarEnvelopeError';
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
    this.body = body;
    this.invalidParams = Array.isArray(body.invalid_param_list) ? (body.invalid_param_list as InvalidParam[]) : [];
  }
}

/** The Yeastar errcode behind an error we raised, if any. */
export function errcodeOf(err: unknown): number | undefined {
  const cause = err instanceof Error ? (err.cause ?? err) : undefined;
  return cause instanceof YeastarEnvelopeError ? cause.errcode : undefined;
}

export function envelopeOf(err: unknown): YeastarEnvelopeError | undefined {
  const cause = err instanceof Error ? (err.cause ?? err) : undefined;
  return cause instanceof YeastarEnvelopeError ? cause : undefined;
}

function describeParams(params: InvalidParam[]): string {
  if (params.length === 0) return '';
  return ` (${params.map((p) => `${p.field ?? '?'}${p.validation_type ? ` ${p.validation_type}` : p.value !== undefined ? `=${p.value}` : ''}`).join(', ')})`;
}

/** Maps one error envelope to our catalogue. Callers that expect a code (10004, -1, 70091…) look at `errcodeOf`. */
export function errorForEnvelope(envelope: YeastarEnvelopeError, host: string): SpokesError {
  const what = `Yeastar PBX ${host}, ${envelope.path}`;
  switch (envelope.errcode) {
    case E.internal:
      return new RemoteUnavailableError(`${what}: internal error on the PBX`, envelope);
    case E.tokenExpired:
      return new AuthExpiredError(`${what}: the PBX refused a freshly issued access token (TOKEN EXPIRED)`, envelope);
    case E.accountIpBlocked: {
      const until = Number(envelope.body.block_expire_time);
      const when = Number.isFinite(until) && until > 0 ? ` until ${new Date(until * 1000).toISOString()}` : '';
      return new AuthExpiredError(
        `The PBX has blocked this server's IP address${when} after repeated failed logins. ` +
          'Remove it under Security > Security Rules > Blocked IPs on the PBX, check the Client ID and Client Secret, then connect again.',
        envelope,
      );
    }
    case E.accessDenied:
    case E.ipForbidden:
      return new AuthExpiredError(
        `The PBX refuses API access from this server (${envelope.errmsg}). ` +
          'Check Integrations > API on the PBX: the API must be enabled and, if an IP allow-list is set, include this server.',
        envelope,
      );
    case E.interfaceNotExisted:
      return new RemoteRejectedError(`${what}: the PBX does not offer this endpoint (firmware too old?)`, undefined, envelope);
    default:
      return new RemoteRejectedError(`${what}: ${envelope.errcode} ${envelope.errmsg}${describeParams(envelope.invalidParams)}`, undefined, envelope);
  }
}
