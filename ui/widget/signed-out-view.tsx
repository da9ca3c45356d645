/**
 * Not signed in: why, in a salesperson's words, and what to do — usually
 * "Sign in with HubSpot" (sign-in.ts). An unbound HubSpot user learns who
 * binds them and where (T3).
 */
import type { HubSpotContext, Screen } from './controller.ts';

const TITLES: Record<string, string> = {
  sign_in: 'Sign in to Spokes',
  cancelled: 'Not signed in',
  popup_blocked: 'The sign-in window was blocked',
  other_user: 'Signed in as someone else',
  not_bound: "You're not set up for calling yet",
  wrong_portal: 'This widget belongs to another HubSpot account',
  unauthorized: 'Sign in again',
  not_connected: 'Spokes is not connected to HubSpot',
  network: "Spokes isn't reachable",
  session_ended: 'You were signed out',
  dial_failed: 'Signing in failed',
  signed_out: 'Signed out',
};

/** Problems on Spokes' side: the same session is tried again. Anything else: the person signs in (again). */
const RETRY = new Set(['network', 'error', 'not_connected', 'unexpected_response']);

export function SignedOutView({
  screen,
  hubspot,
  onSignIn,
}: {
  screen: Extract<Screen, { kind: 'signed-out' }>;
  hubspot: HubSpotContext | null;
  onSignIn: () => void;
}) {
  const title = TITLES[screen.code] ?? 'Signing in failed';
  return (
    <section className="w-empty" data-testid={screen.code === 'not_bound' ? 'not-bound' : 'signed-out'} data-code={screen.code}>
      {screen.code !== 'sign_in' && (
        <div className="w-empty-icon" aria-hidden="true">
          {screen.code === 'not_bound' ? '☎' : '!'}
        </div>
      )}
      <h2>{title}</h2>
      <p>{screen.message}</p>
      {screen.code === 'not_bound' && (
        <ol className="w-steps">
          <li>
            Your Spokes admin opens <b>Phone system</b> in Spokes.
          </li>
          <li>
            They bind your HubSpot user
            {hubspot?.ownerId ? (
              <>
                {' '}
                (owner <span className="mono">{hubspot.ownerId}</span>)
              </>
            ) : null}{' '}
            to your extension.
          </li>
          <li>
            Then click <b>Try again</b> below.
          </li>
        </ol>
      )}
      <button type="button" className="button button-primary" onClick={onSignIn} data-testid="sign-in">
        {RETRY.has(screen.code) || screen.code === 'not_bound' ? 'Try again' : 'Sign in with HubSpot'}
      </button>
      {!RETRY.has(screen.code) && screen.code !== 'not_bound' && (
        <p className="w-signin-note">
          A window opens where HubSpot confirms who you are. If you opened your Spokes pop-up page link in this browser, that is enough.
        </p>
      )}
    </section>
  );
}
