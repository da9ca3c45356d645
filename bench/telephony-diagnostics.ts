/**
 * What the telephony benchmarks print when a call is lost: Spokes' warnings counted per message, and
 * for each lost call what the PBX and Spokes hold (its ledger row, its job, the auto-created contact).
 */
import { sql } from 'drizzle-orm';
import type { YeastarSandbox } from '../sandbox/yeastar/index.ts';
import { openDatabase } from '../src/db/open.ts';
import type { CallPlan } from './telephony-run.ts';
import type { World } from './telephony-support.ts';

/** The call_logs row id of a record whose uid another call's record holds (its external id is this without `uid:`). */
export const uidKey = (cdr: { uid: string; call_from: string; call_to: string }) =>
  `uid:${cdr.uid}|${cdr.call_from.replace(/\D/g, '')}|${cdr.call_to.replace(/\D/g, '')}`;

export interface LostCall {
  callId: string;
  plan: CallPlan;
  /** The PBX's record of the call (the emulator's store). */
  cdr: ReturnType<YeastarSandbox['cdrs']>[number] | undefined;
  /** Whether the bench's own WebSocket observer saw the record's event. */
  observed: boolean;
}

/**
 * Spokes' warnings and errors, on stderr: a count per message, then the last 60 lines. The
 * reconnect after each of the emulator's idle drops is left out (one every few seconds).
 */
export function dumpWarnings(world: World): void {
  const lines = [world.server, ...world.workers]
    .map((p) => p.output())
    .join('\n')
    .split('\n')
    .filter((l) => /"level":(40|50|60)/.test(l) && !l.includes('event stream dropped; reconnecting'));
  const byMessage = new Map<string, number>();
  for (const line of lines) {
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.slice(0, 120);
    byMessage.set(msg, (byMessage.get(msg) ?? 0) + 1);
  }
  const counts = [...byMessage].sort((a, b) => b[1] - a[1]).map(([m, n]) => `  ${String(n).padStart(6)} × ${m}`);
  process.stderr.write(
    `Spokes' warnings and errors (${lines.length}, without the reconnects after idle drops):\n${counts.join('\n')}\n` +
      `the last ${Math.min(60, lines.length)}:\n${lines.slice(-60).join('\n')}\n`,
  );
}

/**
 * One line per lost call: what the PBX holds (and whether another record shares its uid), what
 * Spokes holds — its `call_logs` row, its `telephony.log-call` job (state, attempts, last error,
 * dead letter), the auto-created contact of its number — and the queues' state. Spokes is
 * stopped first on the embedded database (one process at a time); `world.close` still works.
 */
export async function explainLost(world: World, lost: LostCall[]): Promise<string[]> {
  const out: string[] = [];
  try {
    const status = (await (await world.admin.request('GET', '/api/status')).json()) as {
      queues: { name: string; queued: number; active: number; failed: number }[];
      deadLetters: unknown[];
    };
    const busy = status.queues.filter((q) => q.queued || q.active || q.failed).map((q) => `${q.name} ${q.queued} queued/${q.active} active/${q.failed} failed`);
    out.push(`queues at the end: ${busy.join(', ') || 'all empty'}; ${status.deadLetters.length} recent dead letters`);
  } catch (err) {
    out.push(`queues at the end: unknown (${(err as Error).message})`);
  }
  if (world.db.engine === 'pglite') await world.stopSpokes();
  const database = await openDatabase({ dataDir: world.db.dataDir, databaseUrl: world.db.databaseUrl });
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString().slice(11, 23) : '-');
  try {
    const allCdrs = world.pbx.cdrs();
    for (const l of lost) {
      const cdrIds = l.cdr?.uid ? [`uid:${l.cdr.uid}`, uidKey(l.cdr)] : [];
      const byCdr = cdrIds.length
        ? sql.join(
            cdrIds.map((id) => sql`${id}`),
            sql`, `,
          )
        : sql`null`;
      const rows = await database.query<Record<string, unknown>>(sql`
        select cdr_id, call_id, state, detail, engagement_id, writing_since, logged_at from call_logs
        where cdr_id in (${byCdr}) or call_id = ${l.callId}`);
      const jobs = await database.query<Record<string, unknown>>(sql`
        select name, id, state, retry_count, retry_limit, output, created_on, started_on, completed_on, start_after,
          data->'payload'->>'id' as cdr_id, data->'payload'->>'callId' as call_id
        from pgboss.job where name in ('telephony.log-call', 'spokes.dead-letters')
          and (data->'payload'->>'id' in (${byCdr}) or data->'payload'->>'callId' = ${l.callId})`);
      const contact = l.plan.unknown
        ? (
            await database.query<Record<string, unknown>>(
              sql`select contact_id, claimed_at, created_at from auto_created_contacts where e164 = ${l.plan.external}`,
            )
          )[0]
        : undefined;
      const sharing = l.cdr ? allCdrs.filter((c) => c.uid === l.cdr!.uid && c.call_id !== l.callId).map((c) => c.call_id) : [];
      out.push(
        [
          `lost ${l.callId} (${l.plan.direction} ${l.plan.outcome} ${l.plan.unknown ? 'unknown' : 'known'} ${l.plan.external} → ${l.plan.extension})`,
          `PBX: ${l.cdr ? `uid ${l.cdr.uid}, ${l.cdr.status}${l.cdr.recording ? ', recorded' : ''}` : 'no record'}${sharing.length ? `, its uid also names call ${sharing.join(', ')}` : ''}; observed: ${l.observed}`,
          `call_logs: ${rows.map((r) => `${r.cdr_id} call ${r.call_id} ${r.state}${r.detail ? ` (${r.detail})` : ''} engagement ${r.engagement_id ?? '-'} writing ${iso(r.writing_since)} logged ${iso(r.logged_at)}`).join('; ') || 'none'}`,
          `jobs: ${
            jobs
              .map(
                (j) =>
                  `${j.name} ${j.id} for ${j.cdr_id} call ${j.call_id} ${j.state} after ${Number(j.retry_count) + 1}/${Number(j.retry_limit) + 1} attempt(s)` +
                  ` created ${iso(j.created_on)} started ${iso(j.started_on)} done ${iso(j.completed_on)} next ${iso(j.start_after)} output ${JSON.stringify(j.output)?.slice(0, 300)}`,
              )
              .join('; ') || 'none'
          }`,
          ...(l.plan.unknown
            ? [
                `auto-created contact: ${contact ? `${contact.contact_id ?? 'none yet'} claimed ${iso(contact.claimed_at)} created ${iso(contact.created_at)}` : 'no claim'}`,
              ]
            : []),
        ].join(' — '),
      );
    }
  } finally {
    await database.close();
  }
  return out;
}
