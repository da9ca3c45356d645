import { pino, type Logger, type LoggerOptions } from 'pino';

// Loaded only for a terminal: pipes and services get JSON lines without paying for it.
const pretty = process.stdout.isTTY ? (await import('pino-pretty')).default : undefined;

export type { Logger };

/**
 * Keys whose values are never written to a log line, wherever they appear
 * (top level or one/two levels down). Tokens, secrets and passwords reach
 * Spokes in request bodies, query strings and remote responses.
 */
const SECRET_KEYS = [
  'password', 'secret', 'token', 'accessToken', 'refreshToken', 'access_token', 'refresh_token',
  'clientSecret', 'client_secret', 'authorization', 'cookie', 'set-cookie', 'privateAppToken',
  'apiKey', 'api_key', 'webhookSecret', 'x-signature', 'x-hubspot-signature-v3',
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
  };
  if (opts.destination) return pino(options, opts.destination);
  if (pretty) return pino(options, pretty({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'name', sync: true }));
  return pino(options);
}

/** Strips `access_token=…`, `code=…` and similar from a URL before it is logged or shown. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:access_token|refresh_token|token|code|client_secret|hapikey|state)=)[^&#]*/gi, '$1[redacted]');
}
