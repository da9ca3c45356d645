/**
 * What to do when the browser blocked the record tab: open it by hand now,
 * and allow pop-ups for Spokes once — steps for the browser in use first,
 * the others folded away.
 */
import type { ReactNode } from 'react';
import { Alert } from '../shared/components/alert.tsx';
import { Button } from '../shared/components/button.tsx';
import { detectBrowser, type BrowserName, type PopTarget } from './pop-up.ts';

const NAMES: Record<Exclude<BrowserName, 'other'>, string> = { chrome: 'Chrome', edge: 'Edge', firefox: 'Firefox', safari: 'Safari' };

function steps(browser: Exclude<BrowserName, 'other'>, site: string): ReactNode[] {
  const s = <strong>{site}</strong>;
  switch (browser) {
    case 'chrome':
      return [
        <>Click the pop-up blocked icon at the right end of the address bar.</>,
        <>
          Choose <strong>Always allow pop-ups and redirects from</strong> {s}, then <strong>Done</strong>.
        </>,
        <>
          Or: Settings → Privacy and security → Site settings → Pop-ups and redirects → <strong>Allowed to send pop-ups</strong> → Add {s}.
        </>,
      ];
    case 'edge':
      return [
        <>Click the pop-up blocked icon at the right end of the address bar.</>,
        <>
          Choose <strong>Always allow pop-ups and redirects from</strong> {s}, then <strong>Done</strong>.
        </>,
        <>
          Or: Settings → Cookies and site permissions → Pop-ups and redirects → <strong>Allow</strong> → Add {s}.
        </>,
      ];
    case 'firefox':
      return [
        <>
          In the yellow bar under the address bar, click <strong>Options</strong> (or <strong>Preferences</strong>).
        </>,
        <>
          Choose <strong>Allow pop-ups for</strong> {s}.
        </>,
        <>
          Or: Settings → Privacy &amp; Security → Permissions → Block pop-up windows → <strong>Exceptions…</strong> → add {s} → Allow.
        </>,
      ];
    case 'safari':
      return [
        <>
          In the menu bar, choose Safari → <strong>Settings for {site}…</strong>
        </>,
        <>
          Set <strong>Pop-up Windows</strong> to <strong>Allow</strong>.
        </>,
        <>Or: Safari → Settings → Websites → Pop-up Windows → {s} → Allow.</>,
      ];
  }
}

export function PopupBlockedHelp({ target, onOpen, onDismiss }: { target: PopTarget; onOpen: () => void; onDismiss: () => void }) {
  const site = location.host;
  const mine = detectBrowser();
  const order = (['chrome', 'edge', 'firefox', 'safari'] as const).slice().sort((a, b) => Number(b === mine) - Number(a === mine));
  const what =
    target.kind === 'search' ? `Search HubSpot for ${target.caller}` : target.kind === 'test' ? 'Open the test pop-up' : `Open ${target.caller}'s record`;
  return (
    <Alert
      tone="warning"
      title="Your browser blocked the pop-up"
      actions={
        <>
          <Button variant="primary" onClick={onOpen}>
            {what}
          </Button>
          <Button variant="ghost" onClick={onDismiss}>
            Dismiss
          </Button>
        </>
      }
    >
      <p>
        {target.kind === 'test'
          ? 'As it would for a caller, Spokes tried to open a tab and your browser stopped it.'
          : "Spokes could not open the caller's HubSpot record in a new tab."}{' '}
        Allow pop-ups for <strong>{site}</strong> once, and the next call opens by itself.
      </p>
      <div className="popup-help">
        {order.map((b) => (
          <details key={b} open={b === mine || (mine === 'other' && b === 'chrome')} className="popup-help-browser">
            <summary>
              {NAMES[b]}
              {b === mine ? ' (your browser)' : ''}
            </summary>
            <ol>
              {steps(b, site).map((step, i) => (
                <li key={i}>{step}</li>
              ))}
            </ol>
          </details>
        ))}
      </div>
    </Alert>
  );
}
