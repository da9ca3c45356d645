/**
 * Property sync (M5–M7): the HubSpot property internal names kept in Spokes
 * for routing, the sync test's result, the last and next syncs, and the
 * manual button — disabled, with the reason and the next allowed time, while
 * a sync runs or within 2 hours of the last manual one.
 */
import { useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { bookingApi, type SyncView } from './booking-api.ts';

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function PropertySyncCard({ sync, connected, onChange }: { sync: SyncView; connected: boolean; onChange: () => void }) {
  const toasts = useToasts();
  const [contacts, setContacts] = useState(sync.contactProperties.join(', '));
  const [companies, setCompanies] = useState(sync.companyProperties.join(', '));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'save' | 'test' | 'run'>();
  const dirty = contacts !== sync.contactProperties.join(', ') || companies !== sync.companyProperties.join(', ');

  const act = async (what: 'save' | 'test' | 'run', fn: () => Promise<unknown>, done: string) => {
    setBusy(what);
    setErrors({});
    try {
      await fn();
      toasts.show('success', done);
      onChange();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(err.fieldErrors());
      toasts.show('error', errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const last = sync.lastRun;
  return (
    <Card
      title="Property sync"
      labelledBy="property-sync-title"
      description="HubSpot properties kept in Spokes for every contact and company, for routing bookings (by company size, country, owner…). Use HubSpot's internal names."
    >
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void act('save', () => bookingApi.saveLists(list(contacts), list(companies)), 'Property lists saved. Run the sync test to check the names.');
        }}
      >
        <TextField
          label="Contact properties"
          mono
          value={contacts}
          onChange={setContacts}
          error={errors['0'] ?? errors.contactProperties}
          hint="Separated by commas, e.g. country, jobtitle"
        />
        <TextField
          label="Company properties"
          mono
          value={companies}
          onChange={setCompanies}
          error={errors.companyProperties}
          hint="e.g. numberofemployees, industry, country"
        />
        <div className="row">
          <Button type="submit" variant="primary" busy={busy === 'save'} disabled={!dirty}>
            Save
          </Button>
          <Button
            busy={busy === 'test'}
            disabled={dirty}
            title={dirty ? 'Save first: the test checks the saved names' : undefined}
            onClick={() => void act('test', () => bookingApi.test(), 'Sync test done.')}
          >
            Test against HubSpot
          </Button>
        </div>
      </form>
      {sync.testResult &&
        (sync.testResult.ok ? (
          <Alert tone="success">Every listed property exists in HubSpot (tested {when(sync.testResult.at)}).</Alert>
        ) : (
          <Alert tone="danger" title="HubSpot has no property named:">
            <ul>
              {sync.testResult.missing.map((m) => (
                <li key={`${m.objectType}:${m.name}`}>
                  <code>{m.name}</code> ({m.objectType})
                </li>
              ))}
            </ul>
          </Alert>
        ))}
      <dl className="facts">
        <dt>Kept in Spokes</dt>
        <dd>
          {sync.synced.contacts.toLocaleString()} contacts, {sync.synced.companies.toLocaleString()} companies
        </dd>
        <dt>Last sync</dt>
        <dd>
          {last
            ? `${when(last.finishedAt)} — ${last.mode} (${last.trigger}), ${last.contacts.toLocaleString()} contacts, ${last.companies.toLocaleString()} companies, ${last.requests} HubSpot requests${last.error ? ` — failed: ${last.error}` : ''}`
            : 'never'}
        </dd>
        <dt>Next syncs</dt>
        <dd>
          changes: {when(sync.nextIncrementalAt)}; everything: {when(sync.nextNightlyAt)}
        </dd>
      </dl>
      <div className="stack-tight">
        <div>
          <Button
            busy={busy === 'run'}
            disabled={!sync.manual.allowed || !connected}
            onClick={() => void act('run', () => bookingApi.run(), 'Sync started.')}
            aria-describedby="manual-sync-why"
          >
            Sync with HubSpot now
          </Button>
        </div>
        <p className="muted small" id="manual-sync-why">
          {!connected
            ? 'Connect a booking source first.'
            : sync.manual.allowed
              ? 'A manual sync reads every contact and company; it can run once every 2 hours.'
              : `${sync.manual.reason ?? ''}${sync.manual.nextAllowedAt ? ` Next allowed at ${when(sync.manual.nextAllowedAt)}.` : ''}`}
        </p>
      </div>
    </Card>
  );
}
