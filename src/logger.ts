import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactPersonalData, safeErrorMessage } from './errors.ts';

// Loaded only for a terminal: pipes and services get JSON lines without paying for it.
const pretty = process.stdout.isTTY ? (await import('pino-pretty')).default : undefined;

export type { Logger };

/**
 * Keys whose values are never written to a log line, wherever they appear
 * (top level or one/two levels down). Tokens, secrets and passwords reach
 * Spokes in request bodies, query strings and remote responses.
 */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'authorization',
  'cookie',
  'set-cookie',
  'privateAppToken',
  'apiKey',
  'api_key',
  'webhookSecret',
  'x-signature',
  'x-hubspot-signature-v3',
];

export const redactPaths = SECRET_KEYS.flatMap((k) => {
  const key = /^[a-zA-Z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = key.startsWith('[') ? key : `.${key}`;
  return [key, `*${dot}`, `*.*${dot}`];
});

/**
 * JSON lines (one object per line, for log collectors); on a terminal, the same records made readable
 * by pino-pretty (one line each: time, level, message, fields), unless a destination is given.
 * Redaction happens before either.
 */
export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    name: opts.name,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: undefined,
    // A failed query's message ends with its parameters (Drizzle: "Failed query: … params: …"), and the driver's
    // error carries them too (`params`, `where`): phone numbers, names, e-mail addresses. Logs keep ids, not those.
    serializers: { err: serializeError },
    formatters: { log: withoutQueryParams },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (pretty) return pino(options, pretty({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'name', sync: true }));
  return pino(options);
}

/** Strips `access_token=…`, `code=…` and similar from a URL before it is logged or shown. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:access_token|refresh_token|token|code|client_secret|hapikey|state)=)[^&#]*/gi, '$1[redacted]');
}

/** An Error as a log line holds it: type, safe message, code and stack, none of the query's parameters. */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redactPersonalData(err) : err;
  const code = (err as { code?: unknown }).code;
  const message = safeErrorMessage(err);
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
  return { type: err.name, message, ...(typeof code === 'string' ? { code } : {}), ...(frames ? { stack: `${err.name}: ${message}\n${frames}` } : {}) };
}

/** Strings of a log line (top level and one level down) without a failed query's parameters or personal data. */
function withoutQueryParams(object: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    let clean = value;
    if (typeof value === 'string') clean = redactPersonalData(value);
    else if (depth < 1 && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Error)) {
      const inner = withoutQueryParams(value as Record<string, unknown>, depth + 1);
      if (inner !== value) clean = inner;
    }
    if (clean !== value) (out ??= { ...object })[key] = clean;
  }
  return out ?? object;
}
