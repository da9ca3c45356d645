/**
 * The Calls page's filters: a search box (number or contact, applied as you
 * type), user, direction, answered or missed, state in HubSpot, and a date
 * range. Every change goes to the address at once; the page follows it.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { Button } from '../../shared/components/button.tsx';
import type { ApiCallUser, CallFilters } from './calls-api.ts';

const TYPING_MS = 300;

function Select({ label, value, onChange, children }: { label: string; value: string | undefined; onChange: (v: string) => void; children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <select id={id} className="input" value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

function DateInput({
  label,
  value,
  onChange,
  min,
  max,
}: {
  label: string;
  value: string | undefined;
  onChange: (v: string) => void;
  min?: string;
  max?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input id={id} type="date" className="input" value={value ?? ''} min={min} max={max} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

export function CallFiltersForm({ filters, users, onChange }: { filters: CallFilters; users: ApiCallUser[]; onChange: (f: CallFilters) => void }) {
  const searchId = useId();
  const [text, setText] = useState(filters.q ?? '');
  // The address changed (back button, Clear): the box shows it.
  useEffect(() => {
    setText(filters.q ?? '');
  }, [filters.q]);
  useEffect(() => {
    if (text === (filters.q ?? '')) return undefined;
    const timer = window.setTimeout(() => onChange({ ...filters, q: text || undefined }), TYPING_MS);
    return () => window.clearTimeout(timer);
  }, [text, filters, onChange]);
  // With what is typed in the search box, even if its pause has not passed yet.
  const set = (key: keyof CallFilters) => (value: string) => onChange({ ...filters, q: text || undefined, [key]: value || undefined });
  const any = Object.values(filters).some(Boolean);
  return (
    <section className="card" aria-label="Filters">
      <form
        className="card-body call-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ ...filters, q: text || undefined });
        }}
      >
        <div className="field call-filters-search">
          <label className="field-label" htmlFor={searchId}>
            Search
          </label>
          <div className="input-with-action">
            <input
              id={searchId}
              type="search"
              className="input"
              placeholder="Number, or the contact's or company's name"
              value={text}
              onChange={(e) => setText(e.target.value)}
              autoComplete="off"
            />
            <Button
              variant="ghost"
              disabled={!any && !text}
              onClick={() => {
                setText('');
                onChange({});
              }}
            >
              Clear filters
            </Button>
          </div>
        </div>
        <Select label="User" value={filters.ownerId} onChange={set('ownerId')}>
          <option value="">Everyone</option>
          {users.map((u) => (
            <option key={u.ownerId} value={u.ownerId}>
              {u.name}
              {u.extension ? ` (${u.extension})` : ''}
            </option>
          ))}
        </Select>
        <Select label="Direction" value={filters.direction} onChange={set('direction')}>
          <option value="">Any</option>
          <option value="inbound">Inbound</option>
          <option value="outbound">Outbound</option>
          <option value="internal">Internal</option>
        </Select>
        <Select label="Answered" value={filters.outcome} onChange={set('outcome')}>
          <option value="">Any</option>
          <option value="answered">Answered</option>
          <option value="missed">Missed (inbound)</option>
          <option value="unanswered">Not answered (outbound)</option>
        </Select>
        <Select label="In HubSpot" value={filters.logged} onChange={set('logged')}>
          <option value="">Any</option>
          <option value="logged">Logged</option>
          <option value="not_logged">Not logged</option>
          <option value="failed">Failed</option>
          <option value="retrying">Retrying</option>
          <option value="skipped">Skipped (with the reason)</option>
        </Select>
        <DateInput label="From" value={filters.fromDay} max={filters.toDay} onChange={set('fromDay')} />
        <DateInput label="To" value={filters.toDay} min={filters.fromDay} onChange={set('toDay')} />
      </form>
    </section>
  );
}
