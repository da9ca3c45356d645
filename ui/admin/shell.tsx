/**
 * The frame around every admin page: the left navigation (from the page
 * registry, ui/admin/pages.tsx: Spokes' own pages, then one entry per
 * connection Spokes manages) and sign-out.
 */
import { useState, type ReactNode } from 'react';
import { Link } from './router.tsx';
import { useSession } from './session.tsx';
import { SpokesLogo } from '../shared/components/spokes-logo.tsx';

/** A navigation entry (ui/admin/pages.tsx lists them). */
export interface NavItem {
  path: string;
  label: string;
  icon: ReactNode;
  section: 'spokes' | 'connections';
  /** Listed so admins see what is coming, not clickable yet. */
  soon?: boolean;
}

const ROLE_NAME = { owner: 'Owner', manager: 'Manager', member: 'Member' } as const;

const SECTIONS = [
  { id: 'spokes', label: 'Spokes' },
  { id: 'connections', label: 'Connections' },
] as const;

export function Shell({ path, nav, children }: { path: string; nav: readonly NavItem[]; children: ReactNode }) {
  const { signOut, user, can } = useSession();
  const [signingOut, setSigningOut] = useState(false);
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-inner">
          <div className="sidebar-brand">
            <SpokesLogo />
            <div>
              <div className="sidebar-name">Spokes</div>
              <div className="sidebar-tagline">HubSpot integration hub</div>
            </div>
          </div>
          <div className="nav">
            {SECTIONS.map((section) => (
              <nav key={section.id} aria-label={section.label} className="nav-section">
                <div className="nav-heading">{section.label}</div>
                <ul>
                  {nav
                    .filter((item) => item.section === section.id)
                    .map((item) => (
                      <li key={item.path}>
                        {item.soon ? (
                          <span className="nav-item nav-item-soon" aria-disabled="true">
                            {item.icon}
                            <span>{item.label}</span>
                            <span className="nav-soon">Soon</span>
                          </span>
                        ) : (
                          <Link
                            to={item.path}
                            className={`nav-item${path === item.path ? ' nav-item-active' : ''}`}
                            aria-current={path === item.path ? 'page' : undefined}
                          >
                            {item.icon}
                            <span>{item.label}</span>
                          </Link>
                        )}
                      </li>
                    ))}
                </ul>
              </nav>
            ))}
          </div>
          <div className="sidebar-footer">
            {user && (
              <div className="sidebar-user">
                <div className="sidebar-user-email">{user.email}</div>
                <div className="sidebar-user-role">{ROLE_NAME[user.role]}</div>
              </div>
            )}
            <button
              type="button"
              className="button button-ghost sidebar-sign-out"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                void signOut();
              }}
            >
              <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
                <path
                  d="M8 4H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3M12 6.5L15.5 10 12 13.5M15.5 10H8"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.7"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                />
              </svg>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="main" id="main">
        {user && !can('manager') && (
          <div className="role-notice" role="note">
            You are signed in as a member: you see status and activity. Connecting, disconnecting and changing settings needs a manager or an owner.
          </div>
        )}
        {children}
      </main>
    </div>
  );
}

/** Title row of a page: what it is, one line of why, and its status on the right. */
export function PageHeader({ title, description, status }: { title: string; description: ReactNode; status?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        <p className="muted">{description}</p>
      </div>
      {status && <div className="page-status">{status}</div>}
    </header>
  );
}
