/**
 * The dial pad, for calls started in the widget rather than from a number in
 * HubSpot: type or paste a number, or tap the keys.
 */
import { useRef, useState, type FormEvent } from 'react';

const KEYS: Array<[string, string]> = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

export function DialPad({ onCall, disabled }: { onCall: (number: string) => void; disabled: boolean }) {
  const [number, setNumber] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const dialable = /\d{2,}/.test(number.replace(/\D/g, ''));

  const press = (key: string) => {
    setNumber((n) => n + key);
    input.current?.focus();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (dialable && !disabled) onCall(number.trim());
  };

  return (
    <form className="w-dialpad" onSubmit={submit} data-testid="dial-pad">
      <div className="w-number">
        <input
          ref={input}
          type="tel"
          inputMode="tel"
          autoComplete="off"
          aria-label="Phone number"
          placeholder="Enter a number"
          value={number}
          onChange={(e) => setNumber(e.target.value.replace(/[^\d+*#()\-.\s]/g, ''))}
          data-testid="dial-input"
        />
        {number && (
          <button type="button" className="w-backspace" aria-label="Delete last digit" onClick={() => setNumber((n) => n.slice(0, -1))}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path
                d="M21 5H9l-6 7 6 7h12a1 1 0 0 0 1-1V6a1 1 0 0 0-1-1zm-4.3 10.3-1.4 1.4-2.3-2.3-2.3 2.3-1.4-1.4 2.3-2.3-2.3-2.3 1.4-1.4 2.3 2.3 2.3-2.3 1.4 1.4-2.3 2.3 2.3 2.3z"
                fill="currentColor"
              />
            </svg>
          </button>
        )}
      </div>
      <div className="w-keys">
        {KEYS.map(([digit, letters]) => (
          <button key={digit} type="button" className="w-key" onClick={() => press(digit)} aria-label={digit}>
            <span className="w-key-digit">{digit}</span>
            <span className="w-key-letters">{letters}</span>
          </button>
        ))}
      </div>
      <button type="submit" className="w-call-button" disabled={!dialable || disabled} data-testid="dial-call">
        <PhoneIcon /> Call
      </button>
      <p className="w-hint">Or click any phone number on a HubSpot record.</p>
    </form>
  );
}

export function PhoneIcon({ down = false }: { down?: boolean }) {
  return (
    <svg className={`w-phone-icon ${down ? 'w-phone-down' : ''}`} viewBox="0 0 24 24" aria-hidden="true">
      <path
        fill="currentColor"
        d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1l-2.2 2.23z"
      />
    </svg>
  );
}
