/**
 * T4 and T5, as the PBX's own HubSpot page lays them out: "Auto sync contacts"
 * (modules, and the phonebook: an existing empty one or a new one, then marked
 * CRM) and "Auto create new contacts" (call types), plus how numbers are read.
 * One Save for the card; nothing changes until it is pressed.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Badge } from '../../shared/components/badge.tsx';
import { Button } from '../../shared/components/button.tsx';
import { Card } from '../../shared/components/card.tsx';
import { Checkbox } from '../../shared/components/checkbox.tsx';
import { TextField } from '../../shared/components/field.tsx';
import { useToasts } from '../../shared/components/toasts.tsx';
import { phoneApi, type ApiPhoneSettings, type ApiPhonebook, type ApiPhoneStatus, type SettingsPatch } from './phone-api.ts';

const NEW_PHONEBOOK = '__new__';
const DEFAULT_PHONEBOOK_NAME = 'HubSpot_CRM_Phonebook';

interface Draft {
  autoCreate: boolean;
  inbound: boolean;
  outbound: boolean;
  sync: boolean;
  contacts: boolean;
  companies: boolean;
  /** A phonebook id, NEW_PHONEBOOK, or '' (none chosen). */
  phonebook: string;
  newName: string;
  defaultRegion: string;
  outboundPrefix: string;
}

function draftOf(s: ApiPhoneSettings): Draft {
  const autoCreate = s.autoCreate.inbound || s.autoCreate.outbound;
  return {
    autoCreate,
    // Switching auto-create on offers both call types, as the PBX's page does.
    inbound: autoCreate ? s.autoCreate.inbound : true,
    outbound: autoCreate ? s.autoCreate.outbound : true,
    sync: s.contactSync.enabled,
    contacts: s.contactSync.modules.includes('contacts'),
    companies: s.contactSync.modules.includes('companies'),
    phonebook: s.contactSync.phonebookId ?? '',
    newName: DEFAULT_PHONEBOOK_NAME,
    defaultRegion: s.numbers.defaultRegion ?? '',
    outboundPrefix: s.numbers.outboundPrefix,
  };
}

export function ContactSettingsCard({
  settings,
  onSaved,
  activity,
}: {
  settings: ApiPhoneSettings;
  onSaved: (s: ApiPhoneStatus) => void;
  /** Changes when a call is logged: the phonebook's contact count may have grown. */
  activity: number;
}) {
  const toasts = useToasts();
  const saved = useMemo(() => draftOf(settings), [settings]);
  const [draft, setDraft] = useState<Draft>(saved);
  const [phonebooks, setPhonebooks] = useState<ApiPhonebook[] | undefined>();
  const [phonebooksError, setPhonebooksError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);

  // Settings saved elsewhere (another tab) replace an untouched form; keyed on the saved values
  // only, so the 5-second status poll never wipes what the admin is editing.
  const savedKey = JSON.stringify(saved);
  useEffect(() => {
    if (!dirty) setDraft(saved);
  }, [savedKey]);

  const loadPhonebooks = useCallback(async () => {
    setPhonebooksError(undefined);
    try {
      setPhonebooks((await phoneApi.phonebooks()).phonebooks);
    } catch (err) {
      setPhonebooksError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void loadPhonebooks();
  }, [loadPhonebooks, activity]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors({});
    setFormError(undefined);
  };

  const save = async () => {
    const problems: Record<string, string> = {};
    if (draft.autoCreate && !draft.inbound && !draft.outbound) problems.callTypes = 'Choose at least one call type, or switch auto-create off.';
    if (draft.sync && !draft.contacts && !draft.companies) problems.modules = 'Choose what to sync: contacts, companies or both.';
    if (draft.sync && !draft.phonebook) problems.phonebook = 'Choose the phonebook synced contacts go to, or create a new one.';
    if (draft.phonebook === NEW_PHONEBOOK && !draft.newName.trim()) problems.newName = 'Give the new phonebook a name.';
    setErrors(problems);
    if (Object.keys(problems).length) return;

    const patch: SettingsPatch = {
      autoCreate: { inbound: draft.autoCreate && draft.inbound, outbound: draft.autoCreate && draft.outbound },
      contactSync: {
        enabled: draft.sync,
        modules: [...(draft.contacts ? ['contacts' as const] : []), ...(draft.companies ? ['companies' as const] : [])],
      },
      numbers: { defaultRegion: draft.defaultRegion.trim().toUpperCase() || null, outboundPrefix: draft.outboundPrefix.trim() },
    };
    if (!draft.contacts && !draft.companies) patch.contactSync!.modules = settings.contactSync.modules;
    if (draft.phonebook === NEW_PHONEBOOK) patch.createPhonebook = draft.newName.trim();
    else if (draft.phonebook !== saved.phonebook) patch.contactSync!.phonebookId = draft.phonebook || null;

    setSaving(true);
    try {
      const next = await phoneApi.saveSettings(patch);
      onSaved(next);
      setDraft(draftOf(next.settings!));
      toasts.show(
        'success',
        patch.createPhonebook ? `Settings saved. Phonebook "${next.settings?.contactSync.phonebookName}" created on the PBX.` : 'Settings saved.',
      );
      if (patch.createPhonebook || patch.contactSync?.phonebookId !== undefined) void loadPhonebooks();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      const mapped: Record<string, string> = {};
      if (fields.phonebookId) mapped.phonebook = err instanceof ApiError ? err.message : fields.phonebookId;
      if (fields.createPhonebook) mapped.newName = fields.createPhonebook;
      // The PBX already has a phonebook of that name: said next to the name.
      if (patch.createPhonebook && err instanceof ApiError && err.code === 'conflict') mapped.newName = err.message;
      if (fields.defaultRegion) mapped.defaultRegion = fields.defaultRegion;
      if (fields.outboundPrefix) mapped.outboundPrefix = fields.outboundPrefix;
      setErrors(mapped);
      if (!Object.keys(mapped).length) setFormError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  const current = phonebooks?.find((b) => b.id === draft.phonebook);
  return (
    <Card
      title="Contacts"
      labelledBy="contacts-title"
      description="What Spokes does with the people your users talk to: copy CRM contacts into a PBX phonebook, and create contacts for unknown numbers."
      footer={
        <div className="card-footer-row">
          <span className="muted small">{dirty ? 'Unsaved changes' : 'All changes saved'}</span>
          <div className="row">
            <Button
              variant="ghost"
              disabled={!dirty || saving}
              onClick={() => {
                setDraft(saved);
                setErrors({});
                setFormError(undefined);
              }}
            >
              Discard changes
            </Button>
            <Button variant="primary" busy={saving} disabled={!dirty} onClick={() => void save()}>
              Save settings
            </Button>
          </div>
        </div>
      }
    >
      <div className="stack settings">
        {formError && <Alert tone="danger">{formError}</Alert>}
        <fieldset className="settings-section">
          <legend className="visually-hidden">Contact sync</legend>
          <Checkbox
            checked={draft.sync}
            onChange={(v) => set('sync', v)}
            label="Auto sync contacts"
            hint="When a bound user receives a call from a CRM contact, Spokes copies the contact into a PBX phonebook, so the PBX and its phones show the caller's name."
          />
          <div className={`settings-nested${draft.sync ? '' : ' settings-nested-off'}`}>
            <div className="field" role="group" aria-labelledby="modules-label">
              <span className="field-label" id="modules-label">
                Modules to sync
              </span>
              <div className="row checkbox-row">
                <Checkbox checked={draft.contacts} onChange={(v) => set('contacts', v)} label="Contacts" disabled={!draft.sync} />
                <Checkbox checked={draft.companies} onChange={(v) => set('companies', v)} label="Companies" disabled={!draft.sync} />
              </div>
              {errors.modules && <div className="field-error">{errors.modules}</div>}
            </div>
            <div className="field">
              <label className="field-label" htmlFor="phonebook">
                Sync to phonebook
              </label>
              <select
                id="phonebook"
                className="input"
                value={draft.phonebook}
                disabled={!draft.sync || !phonebooks}
                aria-invalid={errors.phonebook ? true : undefined}
                aria-describedby="phonebook-hint"
                onChange={(e) => set('phonebook', e.target.value)}
              >
                {!phonebooks && !phonebooksError && <option value={draft.phonebook}>Loading the PBX phonebooks…</option>}
                <option value="">Choose a phonebook…</option>
                {phonebooks?.map((b) => (
                  <option key={b.id} value={b.id} disabled={!b.crmOwned && b.contactCount > 0}>
                    {phonebookLabel(b, b.id === saved.phonebook)}
                  </option>
                ))}
                {phonebooks && saved.phonebook && !phonebooks.some((b) => b.id === saved.phonebook) && (
                  <option value={saved.phonebook}>{settings.contactSync.phonebookName ?? saved.phonebook} — no longer on the PBX</option>
                )}
                <option value={NEW_PHONEBOOK}>Create new…</option>
              </select>
              {errors.phonebook ? (
                <div className="field-error">{errors.phonebook}</div>
              ) : (
                <div className="field-hint" id="phonebook-hint">
                  Only an empty phonebook can be chosen. Spokes marks it{' '}
                  <Badge tone="neutral" plain>
                    CRM
                  </Badge>{' '}
                  and keeps it read-only in effect: edits made on the PBX are replaced with the CRM values. Choosing another phonebook releases the previous
                  one: its contacts stay on the PBX, editable again.
                </div>
              )}
              {phonebooksError && (
                <Alert
                  tone="danger"
                  title="Could not list the PBX phonebooks"
                  actions={
                    <Button size="small" onClick={() => void loadPhonebooks()}>
                      Try again
                    </Button>
                  }
                >
                  {phonebooksError}
                </Alert>
              )}
            </div>
            {draft.phonebook === NEW_PHONEBOOK && (
              <TextField
                label="Name of the new phonebook"
                value={draft.newName}
                onChange={(v) => set('newName', v)}
                error={errors.newName}
                maxLength={64}
                hint="Created on the PBX when you save, marked CRM."
              />
            )}
            {current && !dirty && current.crmOwned && draft.sync && (
              <p className="small muted">
                {current.name} holds {current.contactCount} {current.contactCount === 1 ? 'contact' : 'contacts'} copied from HubSpot.
              </p>
            )}
          </div>
        </fieldset>
        <fieldset className="settings-section">
          <legend className="visually-hidden">Auto-create</legend>
          <Checkbox
            checked={draft.autoCreate}
            onChange={(v) => set('autoCreate', v)}
            label="Auto create new contacts"
            hint={
              <>
                A number that matches no HubSpot contact or company becomes a contact named <code>Automatic New Contact - &lt;number&gt;</code>, and the call is
                logged on it.
              </>
            }
          />
          <div className={`settings-nested${draft.autoCreate ? '' : ' settings-nested-off'}`}>
            <div className="field" role="group" aria-labelledby="call-types-label">
              <span className="field-label" id="call-types-label">
                Call types
              </span>
              <div className="row checkbox-row">
                <Checkbox
                  checked={draft.inbound}
                  onChange={(v) => set('inbound', v)}
                  label="Inbound"
                  hint="An unknown number calls a bound user."
                  disabled={!draft.autoCreate}
                />
                <Checkbox
                  checked={draft.outbound}
                  onChange={(v) => set('outbound', v)}
                  label="Outbound"
                  hint="A bound user calls an unknown number."
                  disabled={!draft.autoCreate}
                />
              </div>
              {errors.callTypes && <div className="field-error">{errors.callTypes}</div>}
            </div>
          </div>
        </fieldset>
        <details className="optional-block" open={!!(errors.defaultRegion || errors.outboundPrefix) || undefined}>
          <summary>
            Number matching <span className="muted small">how PBX numbers are matched to HubSpot records</span>
          </summary>
          <div className="form-grid optional-block-body">
            <TextField
              label="Default country"
              value={draft.defaultRegion}
              onChange={(v) => set('defaultRegion', v)}
              error={errors.defaultRegion}
              placeholder="e.g. US"
              maxLength={2}
              hint="For numbers the PBX reports without a country code. Empty: Spokes' default."
            />
            <TextField
              label="Outbound prefix"
              mono
              value={draft.outboundPrefix}
              onChange={(v) => set('outboundPrefix', v)}
              error={errors.outboundPrefix}
              placeholder="e.g. 9"
              maxLength={4}
              hint="A prefix your outbound route leaves in front of dialled numbers, removed before matching."
            />
          </div>
        </details>
      </div>
    </Card>
  );
}

function phonebookLabel(b: ApiPhonebook, inUse: boolean): string {
  const count = b.contactCount === 0 ? 'empty' : `${b.contactCount} ${b.contactCount === 1 ? 'contact' : 'contacts'}`;
  if (inUse) return `${b.name} \u2014 in use, ${count}`;
  if (!b.crmOwned && b.contactCount > 0) return `${b.name} \u2014 ${count}, not empty`;
  return `${b.name} \u2014 ${count}`;
}
