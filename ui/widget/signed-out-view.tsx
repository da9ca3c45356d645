/**
 * Not signed in: why, in a salesperson's words, and what to do. An unbound
 * HubSpot user learns who binds them and where (T3).
 */
import type { HubSpotContext, Screen } from './controller.ts';

const TITLES: Record<string, string> = {
  not_bound: "You're not set up for calling yet",
  wrong_portal: 'This widget belongs to another HubSpot account',
  unauthorized: 'This widget needs a new address',
  no_key: 'This widget needs a new address',
  not_connected: 'Spokes is not connected to HubSpot',
  network: "Spokes isn't reachable",
  session_ended: 'You were signed out',
  signed_out: 'Signed out',
};

export function SignedOutView({ screen, hubspot, onRetry }: { screen: Extract<Screen, { kind: 'signed-out' }>; hubspot: HubSpotContext | null; onRetry: () => void }) {
  const title = TITLES[screen.code] ?? 'Signing in failed';
  return (
    <section className="w-empty" data-testid={screen.code === 'not_bound' ? 'not-bound' : 'signed-out'} data-code={screen.code}>
      <div className="w-empty-icon" aria-hidden="true">{screen.code === 'not_bound' ? '☎' : '!'}</div>
      <h2>{title}</h2>
      <p>{screen.message}</p>
      {screen.code === 'not_bound' && (
        <ol className="w-steps">
          <li>Your Spokes admin opens <b>Phone system</b> in Spokes.</li>
          <li>They bind your HubSpot user{hubspot?.ownerId ? <> (owner <span className="mono">{hubspot.ownerId}</span>)</> : null} to your extension.</li>
          <li>Then click <b>Try again</b> below.</li>
        </ol>
      )}
      <button type="button" className="button button-primary" onClick={onRetry} data-testid="retry-sign-in">
        {screen.code === 'signed_out' ? 'Sign in' : 'Try again'}
      </button>
    </section>
  );
}
