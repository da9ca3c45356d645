/**
 * Dry run (X5): the same engine in preview mode. It reads the app and HubSpot,
 * decides, and reports what it would create, update, exclude and fail, with
 * examples of each — and writes nothing.
 */
import type { SaveSummary, SourceRecord } from './types.ts';
import type { Merged } from './merge.ts';

const EXAMPLES = 5;

export interface PreviewExample {
  records: string[];
  email: string | null;
  properties?: Record<string, string>;
  hubspotId?: string;
  reason?: string;
}

export interface PreviewReport {
  scanned: number;
  truncated: boolean;
  create: number;
  update: number;
  unchanged: number;
  excluded: number;
  failing: number;
  merged: number;
  examples: { create: PreviewExample[]; update: PreviewExample[]; excluded: PreviewExample[]; failing: PreviewExample[]; merged: PreviewExample[] };
}

interface PageDecisions {
  rows: { src: SourceRecord; state: string; reason: string | null }[];
  failed: { id: string; reason: string }[];
  groups: { identity: string; email: string | null; merged: Merged; memberIds: string[] }[];
  groupFailure: Map<string, string>;
  ops: { w: { g: { identity: string; email: string | null; memberIds: string[] } }; op: string; id?: string; properties: Record<string, string> }[];
  unchanged: number;
  left: string[];
}

export class Preview {
  readonly report: PreviewReport = {
    scanned: 0,
    truncated: false,
    create: 0,
    update: 0,
    unchanged: 0,
    excluded: 0,
    failing: 0,
    merged: 0,
    examples: { create: [], update: [], excluded: [], failing: [], merged: [] },
  };

  add(p: PageDecisions): void {
    const r = this.report;
    const ex = r.examples;
    r.scanned += p.rows.length + p.failed.length;
    r.unchanged += p.unchanged;
    for (const row of p.rows) {
      if (row.state !== 'excluded') continue;
      r.excluded++;
      if (ex.excluded.length < EXAMPLES) ex.excluded.push({ records: [row.src.id], email: row.src.values.email ?? null, reason: row.reason ?? '' });
    }
    for (const f of p.failed) {
      r.failing++;
      if (ex.failing.length < EXAMPLES) ex.failing.push({ records: [f.id], email: null, reason: f.reason });
    }
    for (const g of p.groups) {
      const failure = p.groupFailure.get(g.identity);
      if (failure) {
        r.failing += g.memberIds.length;
        if (ex.failing.length < EXAMPLES) ex.failing.push({ records: g.memberIds, email: g.email, reason: failure });
      }
      if (g.memberIds.length > 1) {
        r.merged++;
        if (ex.merged.length < EXAMPLES) ex.merged.push({ records: g.merged.members, email: g.email, reason: describeSources(g.merged) });
      }
    }
    for (const o of p.ops) {
      const kind = o.op === 'update' ? 'update' : 'create';
      r[kind]++;
      if (ex[kind].length < EXAMPLES)
        ex[kind].push({ records: o.w.g.memberIds, email: o.w.g.email, properties: o.properties, ...(o.id ? { hubspotId: o.id } : {}) });
    }
  }

  summaryOf(rows: number, failed: number, groupFailures: number, ops: { op: string }[]): SaveSummary {
    return {
      created: ops.filter((o) => o.op !== 'update').length,
      updated: ops.filter((o) => o.op === 'update').length,
      unchanged: 0,
      excluded: 0,
      failing: failed + groupFailures,
      ...{ scanned: rows },
    } as SaveSummary;
  }
}

/** "lastName, title from A; tel from B". */
export function describeSources(m: Merged): string {
  const by = new Map<string, string[]>();
  for (const [field, id] of Object.entries(m.sources)) by.set(id, [...(by.get(id) ?? []), field]);
  return [...by.entries()].map(([id, fields]) => `${fields.join(', ')} from ${id}`).join('; ');
}
