/**
 * D8: several remote records with one e-mail become one HubSpot contact. The
 * newest record (by its own modification time) wins field by field: each field
 * takes the value of the newest record that has one. Which record gave which
 * field is kept, to show in sync health.
 */
export interface Member {
  id: string;
  modifiedAt: Date;
  values: Record<string, string | null>;
}

export interface Merged {
  values: Record<string, string | null>;
  /** Field → the record its value came from. */
  sources: Record<string, string>;
  /** Newest first. */
  members: string[];
  newest: Date;
}

export function mergeNewest(members: readonly Member[]): Merged {
  const sorted = [...members].sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime() || (a.id < b.id ? -1 : 1));
  const values: Record<string, string | null> = {};
  const sources: Record<string, string> = {};
  for (const m of sorted) {
    for (const [field, raw] of Object.entries(m.values)) {
      const v = raw?.trim() ? raw : null;
      if (field in values && values[field] !== null) continue;
      values[field] = v;
      if (v !== null) sources[field] = m.id;
    }
  }
  return { values, sources, members: sorted.map((m) => m.id), newest: sorted[0]?.modifiedAt ?? new Date(0) };
}
