/**
 * After the call: what happened, the outcome (HubSpot's default dispositions)
 * and notes, saved to the call's HubSpot record with `callCompleted`. Spokes
 * keeps the draft, so a reload or another HubSpot tab shows it again until it
 * is saved or dismissed; the call itself is logged either way.
 */
import type { EndStatus } from '@hubspot/calling-extensions-sdk';
import type { WidgetController } from './controller.ts';
import { DISPOSITIONS, formatDuration, partyName, talkMs, type ActiveCall } from './call-model.ts';
import { Avatar } from './call-view.tsx';

const STATUS: Record<EndStatus, { label: string; tone: 'success' | 'warning' | 'danger' }> = {
  COMPLETED: { label: 'Completed', tone: 'success' },
  BUSY: { label: 'Busy', tone: 'warning' },
  NO_ANSWER: { label: 'No answer', tone: 'warning' },
  MISSED: { label: 'Missed', tone: 'warning' },
  REJECTED: { label: 'Declined', tone: 'warning' },
  CANCELED: { label: 'Cancelled', tone: 'warning' },
  FAILED: { label: 'Failed', tone: 'danger' },
};

export function WrapUp({ call, controller }: { call: ActiveCall; controller: WidgetController }) {
  const name = partyName(call);
  const status = STATUS[call.endStatus ?? 'COMPLETED'];
  const canSave = !!call.engagementId;
  // No engagement and an error: HubSpot refused to create one (Spokes' call logger will log the call instead).
  const refused = !canSave && !!call.saveError;
  return (
    <form
      className="w-wrapup"
      data-testid="wrap-up"
      data-end-status={call.endStatus ?? ''}
      data-draft={call.draft ?? 'idle'}
      onSubmit={(e) => {
        e.preventDefault();
        controller.save();
      }}
    >
      <div className="w-summary">
        <Avatar name={name} tone={call.endStatus === 'COMPLETED' ? 'idle' : 'failed'} />
        <div className="w-summary-text">
          <div className="w-summary-name">{name ?? call.number}</div>
          <div className="w-summary-facts">
            <span className={`w-badge w-badge-${status.tone}`} data-testid="end-status">
              {status.label}
            </span>
            <span>{call.direction === 'inbound' ? 'Inbound' : 'Outbound'}</span>
            {call.answeredAt && <span>{formatDuration(talkMs(call))}</span>}
          </div>
        </div>
      </div>
      {call.failure && (
        <p className="w-failure" data-testid="call-failure">
          {call.failure.message}
        </p>
      )}
      <label className="w-field">
        <span>Call outcome</span>
        <select value={call.disposition} onChange={(e) => controller.setDisposition(e.target.value)} data-testid="disposition">
          <option value="">Choose an outcome</option>
          {DISPOSITIONS.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <label className="w-field">
        <span>Notes</span>
        <textarea
          rows={5}
          value={call.notes}
          onChange={(e) => controller.setNotes(e.target.value)}
          placeholder="What was discussed, next steps…"
          data-testid="notes"
        />
      </label>
      {call.saveError && (
        <p className="w-save-error" role="alert" data-testid="save-error">
          {call.saveError}
        </p>
      )}
      <div className="w-actions">
        {refused ? (
          <button type="button" className="button button-secondary w-save" onClick={() => controller.discard()} data-testid="close-call">
            Close
          </button>
        ) : (
          <>
            <button type="submit" className="button button-primary w-save" disabled={call.saving || !canSave} data-testid="save-call">
              {call.saving ? 'Saving…' : canSave ? 'Save to HubSpot' : 'Waiting for HubSpot…'}
            </button>
            <button type="button" className="w-link" onClick={() => controller.discard()} disabled={call.saving} data-testid="dismiss-call">
              Skip notes
            </button>
          </>
        )}
      </div>
      <p className="w-hint" data-testid="wrap-up-hint">
        {call.draft === 'failed'
          ? 'Your notes are not kept yet: Spokes did not answer. They are kept in this tab; save when you can.'
          : "The call is on the contact's timeline either way; Spokes adds the recording and the exact duration from the phone system. Your notes are kept until you save or skip them, even if you reload."}
      </p>
    </form>
  );
}
