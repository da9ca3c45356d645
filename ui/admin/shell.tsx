/**
 * The frame around every admin page: the left navigation (one entry per
 * connection Spokes manages, then what it did: the calls) and sign-out.
 */
import { useState, type ReactNode } from 'react';
import { Link } from './router.tsx';
import { useSession } from './session.tsx';
import { SpokesLogo } from './spokes-logo.tsx';

interface NavItem {
  path: string;
  label: string;
  icon: ReactNode;
  /** Listed so admins see what is coming, not clickable yet. */
  soon?: boolean;
}

const NAV: NavItem[] = [
  {
    path: '/admin/hubspot', label: 'HubSpot',
    icon: <svg viewBox="0 0 20 20" aria-hidden="true"><circle cx="13" cy="12" r="3.2" fill="none" stroke="currentColor" strokeWidth="1.8" /><path d="M13 8.8V5.5M13 5.5a1.4 1.4 0 1 0 0-.01M10.4 14.2L6 17M10.2 10.4L5 6.5" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" fill="none" /><circle cx="4.6" cy="6.2" r="1.4" fill="currentColor" /></svg>,
  },
  {
    path: '/admin/phone-system', label: 'Phone system',
    icon: <svg viewBox="0 0 20 20" aria-hidden="true"><path d="M6.2 3.5l2 3.4-1.6 1.6a9 9 0 0 0 4.9 4.9l1.6-1.6 3.4 2-.9 2.6c-.3.8-1.1 1.2-1.9 1A14 14 0 0 1 3.1 6.9c-.2-.8.2-1.6 1-1.9z" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinejoin="round" /></svg>,
  },
];

/** What Spokes did: the call history. */
const ACTIVITY: NavItem[] = [
  {
    path: '/admin/calls', label: 'Calls',
    icon: <svg viewBox="0 0 20 20" aria-hidden="true"><path d="M4 5h12M4 10h12M4 15h8" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" /><circle cx="15.5" cy="15" r="1.6" fill="currentColor" /></svg>,
  },
];

function NavList({ items, path }: { items: NavItem[]; path: string }) {
  return (
    <ul>
      {items.map((item) => (
        <li key={item.path}>
          {item.soon ? (
            <span className="nav-item nav-item-soon" aria-disabled="true">
              {item.icon}<span>{item.label}</span><span className="nav-soon">Soon</span>
            </span>
          ) : (
            <Link to={item.path} className={`nav-item${path === item.path ? ' nav-item-active' : ''}`} aria-current={path === item.path ? 'page' : undefined}>
              {item.icon}<span>{item.label}</span>
            </Link>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Shell({ path, children }: { path: string; children: ReactNode }) {
  const { signOut } = useSession();
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
            <nav aria-label="Connections">
              <div className="nav-heading">Connections</div>
              <NavList items={NAV} path={path} />
            </nav>
            <nav aria-label="Activity">
              <div className="nav-heading">Activity</div>
              <NavList items={ACTIVITY} path={path} />
            </nav>
          </div>
          <div className="sidebar-footer">
            <button type="button" className="button button-ghost sidebar-sign-out" disabled={signingOut}
              onClick={() => { setSigningOut(true); void signOut(); }}>
              <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><path d="M8 4H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3M12 6.5L15.5 10 12 13.5M15.5 10H8" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" /></svg>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="main" id="main">{children}</main>
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
