/**
 * Every admin page, in one typed registry: it drives the navigation (shell.tsx)
 * and the routing (app.tsx), and tells the Overview which page manages which
 * connector. A new page is one entry here.
 */
import type { ComponentType, ReactNode } from 'react';
import { ICONS } from './nav-icons.tsx';
import { OverviewPage } from './platform/overview-page.tsx';
import { ActivityPage } from './platform/activity-page.tsx';
import { HubSpotPage } from './hubspot/hubspot-page.tsx';
import { PhoneSystemPage } from './phone-system/phone-system-page.tsx';
import { CallsPage } from './calls/calls-page.tsx';
import { UsersPage } from './users/users-page.tsx';
import type { Role } from './session.tsx';
import { SansanPage } from './sansan/sansan-page.tsx';
import { BookingPage } from './booking/booking-page.tsx';

export interface AdminPage {
  path: `/admin/${string}`;
  /** The navigation entry's text (and the page's name for screen readers). */
  label: string;
  icon: ReactNode;
  /** `spokes`: Spokes itself (Overview, Activity); `connections`: HubSpot and each connector's page. */
  section: 'spokes' | 'connections';
  /** The connector slug this page manages (`hubspot` for the HubSpot connection): the Overview links to it. */
  connector?: string;
  component: ComponentType;
  /** Listed so admins see what is coming, not clickable yet. */
  soon?: boolean;
  /** Shown in the navigation only to this role and above (the server checks its routes anyway). */
  role?: Role;
}

export const ADMIN_PAGES = [
  { path: '/admin/overview', label: 'Overview', icon: ICONS.overview, section: 'spokes', component: OverviewPage },
  { path: '/admin/activity', label: 'Activity', icon: ICONS.activity, section: 'spokes', component: ActivityPage },
  { path: '/admin/users', label: 'Users', icon: ICONS.users, section: 'spokes', component: UsersPage, role: 'owner' },
  { path: '/admin/hubspot', label: 'HubSpot', icon: ICONS.hubspot, section: 'connections', connector: 'hubspot', component: HubSpotPage },
  { path: '/admin/phone-system', label: 'Phone system', icon: ICONS.phone, section: 'connections', connector: 'telephony', component: PhoneSystemPage },
  // The phone system's call history (what it did), beside its settings.
  { path: '/admin/calls', label: 'Calls', icon: ICONS.calls, section: 'connections', component: CallsPage },
  { path: '/admin/business-cards', label: 'Business cards', icon: ICONS.cards, section: 'connections', connector: 'sansan', component: SansanPage },
  { path: '/admin/booking', label: 'Meeting booking', icon: ICONS.booking, section: 'connections', connector: 'booking', component: BookingPage },
] as const satisfies readonly AdminPage[];

/** Where a signed-in admin lands. */
export const HOME_PATH = '/admin/overview';

export function pageFor(path: string): AdminPage | undefined {
  return (ADMIN_PAGES as readonly AdminPage[]).find((p) => p.path === path);
}

/** The page that manages a connector, for links from the Overview and the Activity page. */
export function pageOfConnector(slug: string): AdminPage | undefined {
  return (ADMIN_PAGES as readonly AdminPage[]).find((p) => p.connector === slug);
}
