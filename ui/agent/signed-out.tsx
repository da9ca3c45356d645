/** The page before sign-in: what it does, and how to get a personal link. */
import { useEffect } from 'react';
import { Alert } from '../shared/components/alert.tsx';
import { SpokesLogo } from '../shared/components/spokes-logo.tsx';

export function SignedOut({ reason }: { reason?: string }) {
  useEffect(() => {
    document.title = 'Sign in — Spokes call pop-ups';
  }, []);
  return (
    <main className="agent-signed-out">
      <div className="agent-signed-out-panel">
        <div className="agent-brand agent-brand-center">
          <SpokesLogo size={40} />
          <div>
            <div className="agent-brand-name">Spokes</div>
            <div className="agent-brand-tagline">Call pop-ups for HubSpot</div>
          </div>
        </div>
        <section className="card">
          <div className="card-body stack">
            <h1>Sign in with your personal link</h1>
            {reason && <Alert tone="danger">{reason}</Alert>}
            <p>
              This page opens the caller's HubSpot record in a new tab when your phone rings. To use it, open the personal sign-in link your Spokes admin gave
              you. It looks like <code>{location.origin}/agent/#token=…</code>
            </p>
            <p>
              <strong>No link?</strong> Ask your Spokes admin: they find one for each person on the <strong>Phone system</strong> page of the Spokes admin, once
              your HubSpot user is bound to your phone's extension.
            </p>
            <p className="muted small">The link signs in this browser for 30 days. Keep it to yourself: anyone with it sees your calls.</p>
          </div>
        </section>
        <p className="muted small agent-signed-out-foot">
          Trying Spokes in sandbox mode? The Phone system page of the admin lists a sign-in link for each sandbox user; simulated calls to their extension pop
          records in the sandbox's HubSpot.
        </p>
      </div>
    </main>
  );
}
