/**
 * Recording downloads ("Download a Recording File"): `recording/download?file=`
 * answers `{file, download_resource_url}`, then `GET {base}{url}?access_token=`
 * streams the audio. The URL lives 30 minutes and carries our token, so it is
 * fetched here and never handed to a browser: Spokes streams the bytes itself.
 * Only from the PBX's own origin, following no redirect (client.ts), and only
 * audio: whatever else a PBX answers never reaches a browser from Spokes.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { NotFoundError, RemoteRejectedError, RemoteUnavailableError, ValidationError } from '../../../errors.ts';
import type { PbxRecording } from '../pbx.ts';
import { YeastarEnvelopeError, errcodeOf, errorForEnvelope } from './api-errors.ts';
import { parseBody, type YeastarClient } from './client.ts';
import { yeastarManifest as M } from './manifest.ts';
import { apiRecordingDownloadSchema } from './wire.ts';

/** A recording reference is the file name from the CDR: no path, nothing that could reach another URL. */
const REF = /^[^/\\?#\s]{1,255}$/;

/** Recording formats a Yeastar P-Series writes (WAV, or MP3 when so set), for a PBX that says only octet-stream. */
const BY_EXTENSION: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg' };

/** The audio type to serve the file as, or null when the answer is not audio. */
export function audioTypeOf(contentType: string, fileName: string): string | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (/^audio\/[a-z0-9.+-]+$/.test(type)) return type;
  if (type === '' || type === 'application/octet-stream') return BY_EXTENSION[/\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? ''] ?? null;
  return null;
}

export async function openRecording(client: YeastarClient, ref: string): Promise<PbxRecording> {
  if (!REF.test(ref)) throw new ValidationError('Not a recording reference.', [{ field: 'ref', message: 'a recording file name' }]);
  const { http } = client;
  try {
    return await client.withToken(async (token) => {
      const body = await http.request('GET', M.paths.recordingDownload, { query: { file: ref }, token });
      const link = parseBody(http.host, M.paths.recordingDownload, apiRecordingDownloadSchema, body);
      const url = new URL(link.download_resource_url, http.origin);
      if (url.origin !== http.origin) throw new RemoteRejectedError(`Yeastar PBX ${http.host} offered a recording on another host`);
      url.searchParams.set('access_token', token);
      // The timeout covers the answer's headers only: a long recording may take longer to stream.
      const headers = new AbortController();
      const timer = setTimeout(() => headers.abort(new Error('no answer in time')), M.requestTimeoutMs);
      const res = await http.fetchRaw(url, { signal: headers.signal }).finally(() => clearTimeout(timer));
      const contentType = res.headers.get('content-type') ?? '';
      if (!res.ok) {
        await res.body?.cancel();
        if (res.status >= 300 && res.status < 400)
          throw new RemoteRejectedError(
            `Yeastar PBX ${http.host} answered a recording download with a redirect (HTTP ${res.status}), which Spokes does not follow`,
            res.status,
          );
        if (res.status >= 500) throw new RemoteUnavailableError(`Yeastar PBX ${http.host} answered HTTP ${res.status} to a recording download`);
        throw new RemoteRejectedError(`Yeastar PBX ${http.host} answered HTTP ${res.status} to a recording download`, res.status);
      }
      if (contentType.includes('json') || !res.body) {
        // Errors come as the usual envelope with HTTP 200 (e.g. 10004 for an expired token).
        const json = (await res.json().catch(() => ({ errcode: -2, errmsg: 'unreadable answer' }))) as Record<string, unknown>;
        throw errorForEnvelope(new YeastarEnvelopeError('recording file', json), http.host);
      }
      const fileName = link.file.trim() || ref;
      const audioType = audioTypeOf(contentType, fileName);
      if (!audioType) {
        await res.body.cancel();
        throw new RemoteRejectedError(
          `Yeastar PBX ${http.host} answered a recording download with ${contentType.split(';')[0] || 'no content type'}, not audio`,
        );
      }
      const length = Number(res.headers.get('content-length'));
      return {
        stream: Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
        contentType: audioType,
        contentLength: Number.isFinite(length) && length > 0 ? length : undefined,
        fileName,
      };
    });
  } catch (err) {
    if (errcodeOf(err) === M.errcodes.dataNotFound) throw new NotFoundError(`The recording "${ref}" is not on the PBX (any more).`);
    throw err;
  }
}
