import { useId, type ReactNode } from 'react';
import { CopyButton } from './copy-button.tsx';

/** A read-only value the admin pastes elsewhere (a URL), with its copy button. */
export function CopyField({ label, value, hint }: { label: ReactNode; value: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="input-with-action">
        <input id={id} className="input input-mono input-readonly" value={value} readOnly onFocus={(e) => e.target.select()} />
        <CopyButton text={value} what={typeof label === 'string' ? label : 'value'} />
      </div>
      {hint && <div className="field-hint">{hint}</div>}
    </div>
  );
}
