import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { YeastarContext } from '../context.ts';
import { ERR, YeastarApiError, invalid, required } from '../errcodes.ts';
import type { DbCdr, DbRecording } from '../pbx-state.ts';
import { compactTime, displayTime, parseDisplayTime } from '../pbx-time.ts';
import { defineApi, flattenQuery, pageOf, paging, type Paging } from './api-kit.ts';
import { recordingWav, recordingWavSize } from '../calls/wav.ts';

/** sort_by values of "Query CDR List" (help.yeastar.com ".../query-cdr-list.html"). */
const CDR_SORTABLE = [
  'id',
  'uid',
  'time',
  'duration',
  'ring_duration',
  'talk_duration',
  'disposition',
  'src_trunk',
  'dst_trunk',
  'call_type',
  'did_number',
  'dod_number',
  'src_addr',
];
const STATUSES = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'VOICEMAIL'];

/** "Evelyn<5566>" for extensions, the bare number otherwise (recording/list example). */
const party = (name: string, number: string) => (name ? `${name}<${number}>` : number);

/** `time` is a display string; sort it by the epoch behind it. */
const bySortKey = (p: Paging): Paging => (p.sortBy === 'time' ? { ...p, sortBy: 'timestamp' } : p);

export function registerCdrRoutes(app: FastifyInstance, ctx: YeastarContext): void {
  const { state, options: o } = ctx;
  const downloads = new Map<string, { recordingId: number; expiresAt: number }>();

  const cdrRow = (c: DbCdr) => ({
    id: c.id,
    time: displayTime(c.startMs, o.timezone, o.dateFormat),
    call_from: party(c.from_name, c.call_from),
    call_to: party(c.to_name, c.call_to),
    timestamp: Math.floor(c.startMs / 1000),
    uid: c.uid,
    src_addr: c.src_addr,
    src_trunk: c.src_trunk,
    dst_trunk: c.dst_trunk,
    duration: c.call_duration,
    ring_duration: c.ring_duration,
    talk_duration: c.talk_duration,
    disposition: c.status,
    call_type: c.type,
    did_number: c.did_number,
    dod_number: '',
    record_file: c.recording,
  });

  // cdr/list documents only paging and sorting: start_time/end_time are ignored here as on the
  // real PBX; filter with cdr/search (see docs/sandbox/yeastar.md).
  defineApi(app, ctx, {
    path: 'cdr/list',
    method: 'GET',
    handler: ({ query }) => pageOf(state.cdrs.map(cdrRow), bySortKey(paging(query, CDR_SORTABLE))),
  });

  // start_time / end_time in the PBX display format, e.g. "MM/DD/YYYY HH:mm:ss", or as a Unix
  // timestamp in seconds ("The time can be specified as … a Unix timestamp (in seconds)":
  // help.yeastar.com/en/p-series-cloud-edition/developer-guide/search-specific-cdr.html).
  defineApi(app, ctx, {
    path: 'cdr/search',
    method: 'GET',
    handler: ({ query }) => {
      const time = (field: 'start_time' | 'end_time') => {
        const raw = query[field];
        if (raw === undefined || raw === '') return undefined;
        const ms = /^\d{9,11}$/.test(raw.trim()) ? Number(raw.trim()) * 1000 : parseDisplayTime(raw, o.timezone, o.dateFormat);
        if (ms === null) throw invalid(field, raw);
        return ms;
      };
      const start = time('start_time');
      const end = time('end_time');
      if (query.status !== undefined && !STATUSES.includes(query.status)) throw invalid('status', query.status);
      const rows = state.cdrs.filter(
        (c) =>
          (start === undefined || c.startMs >= start) &&
          (end === undefined || c.startMs <= end + 999) &&
          (query.call_from === undefined || c.call_from.includes(query.call_from)) &&
          (query.call_to === undefined || c.call_to.includes(query.call_to)) &&
          (query.status === undefined || c.status === query.status),
      );
      return pageOf(rows.map(cdrRow), bySortKey(paging(query, CDR_SORTABLE)));
    },
  });

  const recordingRow = (r: DbRecording) => ({
    id: r.id,
    time: displayTime(r.startMs, o.timezone, o.dateFormat),
    timestamp: Math.floor(r.startMs / 1000),
    uid: r.uid,
    call_from: party(state.extension(r.call_from)?.name ?? '', r.call_from),
    call_to: party(state.extension(r.call_to)?.name ?? '', r.call_to),
    duration: r.duration,
    size: recordingWavSize(r.duration),
    call_type: r.call_type,
    file: r.file,
  });

  defineApi(app, ctx, {
    path: 'recording/list',
    method: 'GET',
    handler: ({ query }) => {
      const page = pageOf(state.recordings.map(recordingRow), bySortKey(paging(query, ['id', 'time', 'duration', 'size'])));
      return { ...page, data: page.data.map(({ timestamp: _t, ...row }) => row) };
    },
  });

  // id or file (".../download-a-recording-file.html"); the URL lives 30 minutes.
  defineApi(app, ctx, {
    path: 'recording/download',
    method: 'GET',
    handler: ({ query }) => {
      if (!query.id && !query.file) throw required('id');
      const rec = query.id ? state.recordings.find((r) => String(r.id) === query.id) : state.recordings.find((r) => r.file === query.file);
      if (!rec) throw new YeastarApiError(ERR.DATA_NOT_FOUND);
      const name = `Recording-83.20.0.21-download-${compactTime(Date.now(), o.timezone)}-${randomBytes(8).toString('hex')}.wav`;
      downloads.set(name, { recordingId: rec.id, expiresAt: Date.now() + o.limits.downloadUrlTtlSec * 1000 });
      return { file: rec.file, download_resource_url: `/api/download/${name}` };
    },
  });

  // GET {base_url}{download_resource_url}?access_token=… streams the file.
  app.get('/api/download/:name', async (request, reply) => {
    const query = flattenQuery(request.query);
    if (!ctx.tokens.isValid(query.access_token)) throw new YeastarApiError(ERR.TOKEN_EXPIRED);
    const name = (request.params as { name: string }).name;
    const entry = downloads.get(name);
    const rec = entry && entry.expiresAt > Date.now() ? state.recordings.find((r) => r.id === entry.recordingId) : undefined;
    if (!rec) throw new YeastarApiError(ERR.DATA_NOT_FOUND);
    state.count('recording-file');
    return reply.header('Content-Type', 'audio/wav').header('Content-Disposition', `attachment; filename="${rec.file}"`).send(recordingWav(rec.duration));
  });
}
