/**
 * The set-up of one Sansan connection: 1. tags (public or shared, at most
 * 300, searchable, paged), 2. mappings (each switchable off and editable, plus
 * custom ones), 3. review (direction, conflict rule, the e-mail switch) with
 * a dry run before "Save and sync".
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Checkbox } from '../../shared/components/checkbox.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { sansanApi, type Config, type Connection, type Mapping, type Report, type SyncSettings, type Tag } from './sansan-api.ts';

const MAX_TAGS = 300;
const COERCIONS = ['text', 'number', 'date', 'datetime', 'bool', 'enumeration', 'any_to_text'];

export function SetupCards({ connection, onSaved }: { connection: Connection; onSaved: () => Promise<void> }) {
  const [config, setConfig] = useState<Config | undefined>();
  const [tags, setTags] = useState<Tag[]>(connection.settings?.tags ?? []);
  const [sync, setSync] = useState<SyncSettings | undefined>(connection.settings?.sync);
  const [error, setError] = useState<string | undefined>();
  const [problems, setProblems] = useState<string[]>([]);
  const [report, setReport] = useState<Report | undefined>();
  const [busy, setBusy] = useState<'dry' | 'save' | undefined>();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    sansanApi.config(connection.id).then(setConfig, (err) => setError(errorMessage(err)));
  }, [connection.id]);
  if (!sync) return <Alert tone="warning">This connection's settings no longer validate: {connection.state}</Alert>;

  const run = async (kind: 'dry' | 'save') => {
    setBusy(kind);
    setError(undefined);
    setProblems([]);
    setSaved(false);
    try {
      if (kind === 'dry') setReport((await sansanApi.dryRun(connection.id, { tags, sync })).report);
      else {
        const next = { ...sync, enabled: true };
        await sansanApi.save(connection.id, { tags, sync: next });
        if (connection.state !== 'enabled') await sansanApi.enable(connection.id);
        setSync(next);
        setSaved(true);
        await onSaved();
      }
    } catch (err) {
      setError(errorMessage(err));
      if (err instanceof ApiError) setProblems(err.details.map((d) => `${d.field}: ${d.message}`));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <TagPicker connectionId={connection.id} selected={tags} onChange={setTags} />
      <Card
        title="2. Mappings"
        description="Which card field fills which HubSpot contact property. Switch any off, change it, or add your own — no paid tier needed."
      >
        {config ? (
          <MappingTable mappings={sync.mappings} config={config} onChange={(mappings) => setSync({ ...sync, mappings })} />
        ) : (
          <p className="muted">Loading HubSpot's contact properties…</p>
        )}
      </Card>
      <Card title="3. Review" description="How the sync runs. Changing these later runs the initial sync again.">
        <div className="stack">
          <label className="field">
            <span className="field-label">Direction</span>
            <select className="input" value={sync.direction} onChange={(e) => setSync({ ...sync, direction: e.target.value as SyncSettings['direction'] })}>
              <option value="to_hubspot">Sansan → HubSpot</option>
              <option value="to_remote">HubSpot → Sansan</option>
              <option value="both">Two-way</option>
            </select>
          </label>
          <label className="field">
            <span className="field-label">When both have a value</span>
            <select className="input" value={sync.conflict} onChange={(e) => setSync({ ...sync, conflict: e.target.value as SyncSettings['conflict'] })}>
              <option value="remote">Always use Sansan</option>
              <option value="hubspot">Always use HubSpot</option>
              <option value="recent">Most recently updated wins</option>
            </select>
          </label>
          <Checkbox
            checked={sync.emailOnly}
            onChange={(emailOnly) => setSync({ ...sync, emailOnly })}
            label="Only sync contacts with a valid e-mail"
            hint="Cards without one are listed as excluded in sync health."
          />
          <p className="muted small">
            {tags.length} tag{tags.length === 1 ? '' : 's'} selected · {sync.mappings.filter((m) => m.enabled).length} mappings on · several cards with one
            e-mail become one contact, the newest card winning field by field.
          </p>
          {error && (
            <Alert tone="danger" title={error}>
              {problems.length > 0 && (
                <ul>
                  {problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
            </Alert>
          )}
          {saved && <Alert tone="success">Saved. The initial sync is running; its progress is below.</Alert>}
          <div className="row">
            <Button busy={busy === 'dry'} onClick={() => void run('dry')}>
              Dry run
            </Button>
            <Button variant="primary" busy={busy === 'save'} disabled={tags.length === 0} onClick={() => void run('save')}>
              Save and sync
            </Button>
          </div>
          {report && <DryRunReport report={report} />}
        </div>
      </Card>
    </>
  );
}

function TagPicker({ connectionId, selected, onChange }: { connectionId: string; selected: Tag[]; onChange: (t: Tag[]) => void }) {
  const [query, setQuery] = useState('');
  const [tags, setTags] = useState<Tag[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(
    async (q: string, token?: string) => {
      try {
        const page = await sansanApi.tags(connectionId, q, token);
        setTags((t) => (token ? [...t, ...page.tags] : page.tags));
        setNext(page.nextPageToken);
      } catch (err) {
        setError(errorMessage(err));
      }
    },
    [connectionId],
  );
  useEffect(() => {
    const timer = setTimeout(() => void load(query), 250);
    return () => clearTimeout(timer);
  }, [load, query]);
  const ids = new Set(selected.map((t) => t.id));
  const toggle = (t: Tag, on: boolean) => onChange(on ? [...selected, t] : selected.filter((s) => s.id !== t.id));
  return (
    <Card
      title="1. Tags"
      description={`Cards with at least one of these public or shared tags sync (at most ${MAX_TAGS}).`}
      actions={
        <>
          <Button
            size="small"
            disabled={tags.every((t) => ids.has(t.id)) || selected.length >= MAX_TAGS}
            onClick={() => onChange([...selected, ...tags.filter((t) => !ids.has(t.id))].slice(0, MAX_TAGS))}
          >
            Select shown
          </Button>
          <Button size="small" variant="ghost" disabled={selected.length === 0} onClick={() => onChange([])}>
            Clear
          </Button>
        </>
      }
    >
      <div className="stack">
        {error && <Alert tone="danger">{error}</Alert>}
        <TextField label="Search tags" value={query} onChange={setQuery} />
        <p className="small" aria-live="polite">
          <strong>
            {selected.length} / {MAX_TAGS}
          </strong>{' '}
          selected
        </p>
        <div className="sansan-tags">
          {tags.map((t) => (
            <Checkbox
              key={t.id}
              checked={ids.has(t.id)}
              disabled={!ids.has(t.id) && selected.length >= MAX_TAGS}
              onChange={(on) => toggle(t, on)}
              label={`${t.name} (${t.type})`}
            />
          ))}
        </div>
        {next && (
          <div className="row">
            <Button size="small" onClick={() => void load(query, next)}>
              Load more tags
            </Button>
          </div>
        )}
      </div>
    </Card>
  );
}

function MappingTable({ mappings, config, onChange }: { mappings: Mapping[]; config: Config; onChange: (m: Mapping[]) => void }) {
  const set = (i: number, patch: Partial<Mapping>) => onChange(mappings.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const props = config.properties;
  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">On</th>
              <th scope="col">Card field</th>
              <th scope="col">HubSpot property</th>
              <th scope="col">Type</th>
              <th scope="col" aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {mappings.map((m, i) => (
              <tr key={`${m.hubspot}-${i}`} className={m.enabled ? '' : 'row-muted'}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Sync ${m.remote.join(' + ')}`}
                    checked={m.enabled}
                    onChange={(e) => set(i, { enabled: e.target.checked })}
                  />
                </td>
                <td>
                  {m.custom ? (
                    <select className="input" aria-label="Card field" value={m.remote[0]} onChange={(e) => set(i, { remote: [e.target.value] })}>
                      {config.fields.map((f) => (
                        <option key={f}>{f}</option>
                      ))}
                    </select>
                  ) : (
                    <code>{m.remote.join(' + ')}</code>
                  )}
                </td>
                <td>
                  <select
                    className="input"
                    aria-label={`HubSpot property for ${m.remote.join(' + ')}`}
                    value={m.hubspot}
                    onChange={(e) => set(i, { hubspot: e.target.value })}
                  >
                    {!props.some((p) => p.name === m.hubspot) && <option value={m.hubspot}>{m.hubspot} (missing in HubSpot)</option>}
                    {props.map((p) => (
                      <option key={p.name} value={p.name}>
                        {p.label}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select
                    className="input"
                    aria-label={`Type of ${m.remote.join(' + ')}`}
                    value={m.coercion}
                    onChange={(e) => set(i, { coercion: e.target.value })}
                  >
                    {COERCIONS.map((c) => (
                      <option key={c}>{c}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {m.custom && (
                    <Button size="small" variant="ghost" onClick={() => onChange(mappings.filter((_, j) => j !== i))}>
                      Remove
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <Button
          size="small"
          onClick={() =>
            onChange([
              ...mappings,
              { remote: ['memo'], hubspot: props[0]?.name ?? 'email', direction: 'to_hubspot', coercion: 'text', enabled: true, custom: true },
            ])
          }
        >
          Add a mapping
        </Button>
      </div>
    </div>
  );
}

function DryRunReport({ report }: { report: Report }) {
  const rows = [
    ['Would create', report.create, report.examples.create],
    ['Would update', report.update, report.examples.update],
    ['Excluded', report.excluded, report.examples.excluded],
    ['Would fail', report.failing, report.examples.failing],
    ['Merged (one e-mail, several cards)', report.merged, report.examples.merged],
  ] as const;
  return (
    <section className="stack-tight" aria-label="Dry run result">
      <h3>
        Dry run: {report.scanned} cards read{report.truncated ? ' (first ones only)' : ''}, nothing written
      </h3>
      <div className="table-wrap">
        <table className="table table-compact sansan-report">
          <tbody>
            {rows.map(([label, n, examples]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{n}</td>
                <td className="small muted">
                  {examples
                    .slice(0, 3)
                    .map((e) => `${e.email ?? e.records[0]}${e.reason ? ` — ${e.reason}` : ''}`)
                    .join(' · ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
