/**
 * Meeting types (M3, M4): per Cal.com event type / immedio 面談タイプ, HubSpot
 * sync on or off, missing contacts created or not, and the meeting's title and
 * body templates — edited with a live preview rendered by the server with a
 * sample booking, exactly as a real booking would be.
 */
import { useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Checkbox } from '../../shared/components/checkbox.tsx';
import { Switch } from '../../shared/components/switch.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { bookingApi, type MeetingType } from './booking-api.ts';

const SOURCE_NAMES = { calcom: 'Cal.com', immedio: 'immedio' } as const;

export function MeetingTypesCard({ types, placeholders, onChange }: { types: MeetingType[]; placeholders: Record<string, string>; onChange: () => void }) {
  const toasts = useToasts();
  const [busy, setBusy] = useState<string>();
  const [editing, setEditing] = useState<MeetingType>();
  const key = (t: MeetingType) => `${t.source}:${t.eventTypeId}`;

  const change = async (t: MeetingType, patch: Partial<MeetingType>, what: string) => {
    setBusy(key(t));
    try {
      await bookingApi.updateType(t, patch);
      toasts.show('success', `${t.name}: ${what}.`);
      onChange();
    } catch (err) {
      toasts.show('error', errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card
      title="Meeting types"
      labelledBy="meeting-types-title"
      description="Which bookings become HubSpot meetings, and how the meeting is titled and described. A type appears here when its first booking arrives."
    >
      {types.length === 0 ? (
        <p className="muted">No meeting types yet: they appear with the first booking of each.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Meeting type</th>
                <th scope="col">HubSpot sync</th>
                <th scope="col">Missing contacts</th>
                <th scope="col">Templates</th>
              </tr>
            </thead>
            <tbody>
              {types.map((t) => (
                <tr key={key(t)}>
                  <td data-label="Type">
                    <div>
                      <strong>{t.name}</strong>
                      <div className="muted small">
                        {SOURCE_NAMES[t.source]} · {t.slug || t.eventTypeId}
                      </div>
                    </div>
                  </td>
                  <td data-label="Sync">
                    <Switch
                      checked={t.syncEnabled}
                      busy={busy === key(t)}
                      label={<span className="visually-hidden">HubSpot sync for {t.name}</span>}
                      onChange={(on) => void change(t, { syncEnabled: on }, on ? 'bookings sync to HubSpot' : 'bookings no longer sync')}
                    />
                  </td>
                  <td data-label="Contacts">
                    <Checkbox
                      checked={t.createContacts}
                      disabled={busy === key(t)}
                      label="Create"
                      onChange={(on) => void change(t, { createContacts: on }, on ? 'missing contacts are created' : 'missing contacts are not created')}
                    />
                  </td>
                  <td data-label="Templates">
                    <Button size="small" onClick={() => setEditing(t)} aria-label={`Edit templates of ${t.name}`}>
                      Edit
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <TemplateEditor
          key={key(editing)}
          type={editing}
          placeholders={placeholders}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            onChange();
          }}
        />
      )}
    </Card>
  );
}

function TemplateEditor({
  type,
  placeholders,
  onClose,
  onSaved,
}: {
  type: MeetingType;
  placeholders: Record<string, string>;
  onClose: () => void;
  onSaved: () => void;
}) {
  const toasts = useToasts();
  const [title, setTitle] = useState(type.titleTemplate);
  const [body, setBody] = useState(type.bodyTemplate);
  const [preview, setPreview] = useState<{ title: string; bodyLines: string[] }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      bookingApi.preview(title, body, type.source, type.name).then(
        (p) => {
          setPreview(p);
          setErrors({});
        },
        (err) => setErrors(err instanceof ApiError ? err.fieldErrors() : { titleTemplate: errorMessage(err) }),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [title, body, type.source, type.name]);

  const save = async () => {
    setSaving(true);
    try {
      await bookingApi.updateType(type, { titleTemplate: title, bodyTemplate: body });
      toasts.show('success', `${type.name}: templates saved.`);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      toasts.show('error', errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="template-editor stack" aria-labelledby="template-editor-title">
      <h3 id="template-editor-title">Templates of {type.name}</h3>
      <div className="template-grid">
        <div className="stack">
          <div className="field">
            <label className="field-label" htmlFor="tpl-title">
              Meeting title
            </label>
            <input
              id="tpl-title"
              className="input"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              aria-invalid={errors.titleTemplate ? true : undefined}
            />
            {errors.titleTemplate && <div className="field-error">{errors.titleTemplate}</div>}
          </div>
          <div className="field">
            <label className="field-label" htmlFor="tpl-body">
              Meeting description
            </label>
            <textarea
              id="tpl-body"
              className="input"
              rows={6}
              value={body}
              onChange={(e) => setBody(e.target.value)}
              aria-invalid={errors.bodyTemplate ? true : undefined}
            />
            {errors.bodyTemplate && <div className="field-error">{errors.bodyTemplate}</div>}
          </div>
          <details>
            <summary className="small">Placeholders</summary>
            <ul className="small muted placeholder-list">
              {Object.entries(placeholders).map(([name, what]) => (
                <li key={name}>
                  <code>{`{${name}}`}</code> {what}
                </li>
              ))}
            </ul>
          </details>
        </div>
        <div className="template-preview" aria-live="polite">
          <div className="muted small">Preview with a sample booking</div>
          {preview ? (
            <>
              <strong data-testid="preview-title">{preview.title}</strong>
              <div className="small" data-testid="preview-body">
                {preview.bodyLines.map((line, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the lines have no identity of their own
                  <div key={i}>{line}</div>
                ))}
              </div>
            </>
          ) : (
            <Alert tone="info">Type a template to see it rendered.</Alert>
          )}
        </div>
      </div>
      <div className="row">
        <Button variant="primary" busy={saving} onClick={() => void save()}>
          Save templates
        </Button>
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </section>
  );
}
