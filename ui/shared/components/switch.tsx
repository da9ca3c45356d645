import { useId, type ReactNode } from 'react';
import { Spinner } from './spinner.tsx';

/**
 * An on/off switch that acts at once (role="switch"): the label says what it
 * controls, the description what "on" means, and the state is written out
 * ("On"/"Off") so it never rests on colour alone.
 */
export function Switch({
  checked,
  onChange,
  label,
  description,
  busy = false,
  disabled = false,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: ReactNode;
  description?: ReactNode;
  busy?: boolean;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="switch-field">
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-describedby={description ? `${id}-description` : undefined}
        aria-busy={busy || undefined}
        disabled={disabled || busy}
        className={`switch${checked ? ' switch-on' : ''}`}
        onClick={() => onChange(!checked)}
        aria-labelledby={`${id}-label`}
      >
        <span className="switch-thumb" aria-hidden="true" />
      </button>
      <div className="switch-text">
        <div className="switch-label-row">
          <label className="switch-label" id={`${id}-label`} htmlFor={id}>
            {label}
          </label>
          {/* The switch's own state (aria-checked) is what assistive technology reads; this is for the eye. */}
          <span className={`switch-state${checked ? ' switch-state-on' : ''}`} aria-hidden="true">
            {checked ? 'On' : 'Off'}
          </span>
          {busy && <Spinner />}
        </div>
        {description && (
          <div className="field-hint" id={`${id}-description`}>
            {description}
          </div>
        )}
      </div>
    </div>
  );
}
