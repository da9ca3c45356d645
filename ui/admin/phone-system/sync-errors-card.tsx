/**
 * Records Spokes could not copy into the PBX phonebook (T4), with the reason
 * and a link to fix the record in HubSpot. Dismissing removes the line; a
 * record still broken at its next sync comes back.
 */
import { useState } from 'react';
import { errorMessage, sentence } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { phoneApi, type ApiSyncError } from './phone-api.ts';
import type { Loadable } from './use-phone-system.ts';

const KIND: Record<string, string> = { contact_sync: 'Contact sync' };
const RECORD: Record<string, string> = { contact: 'Contact', company: 'Company' };

export function SyncErrorsCard({ errors, onDismissed }: { errors: Loadable<ApiSyncError[]>; onDismissed: (id: number) => void }) {
  const toasts = useToasts();
  const [dismissing, setDismissing] = useState<number | undefined>();
  const list = errors.data;

  const dismiss = async (id: number) => {
    setDismissing(id);
    try {
      await phoneApi.dismissSyncError(id);
      onDismissed(id);
    } catch (err) {
      toasts.show('error', errorMessage(err));
    } finally {
      setDismissing(undefined);
    }
  };

  return (
    <Card
      title={<>Sync errors{list && list.length > 0 && <span className="count">{list.length}</span>}</>}
      labelledBy="sync-errors-title"
      description="CRM records that could not be copied into the PBX phonebook. Fix the record in HubSpot; Spokes syncs it again on the next call."
    >
      <div className="stack">
        {errors.error && (
          <Alert tone="danger" title="Could not load the sync errors">
            {errors.error}
          </Alert>
        )}
        {!list && errors.loading && (
          <div className="row muted">
            <Spinner /> Loading…
          </div>
        )}
        {list && list.length === 0 && <p className="muted empty">No sync errors.</p>}
        {list && list.length > 0 && (
          <ul className="sync-errors" aria-label="Sync errors">
            {list.map((e) => {
              const record = e.objectType ? `${RECORD[e.objectType] ?? e.objectType} ${e.objectId ?? ''}`.trim() : null;
              return (
                <li key={e.id} className="sync-error">
                  <div className="sync-error-body">
                    <div className="sync-error-reason">{sentence(e.reason)}</div>
                    <div className="muted small">
                      {KIND[e.kind] ?? e.kind}
                      {record && (
                        <>
                          {' '}
                          ·{' '}
                          {e.recordUrl ? (
                            <a href={e.recordUrl} target="_blank" rel="noopener noreferrer">
                              {record} ↗
                            </a>
                          ) : (
                            record
                          )}
                        </>
                      )}
                      {' · '}
                      {formatDateTime(e.occurredAt)}
                    </div>
                  </div>
                  <Button
                    size="small"
                    variant="ghost"
                    busy={dismissing === e.id}
                    onClick={() => void dismiss(e.id)}
                    aria-label={`Dismiss: ${sentence(e.reason)}`}
                  >
                    Dismiss
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Card>
  );
}
