/** The admin navigation's icons: 20×20, drawn with the current text colour. */

export const ICONS = {
  users: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <circle cx="8" cy="7" r="3" fill="none" stroke="currentColor" strokeWidth="1.7" />
      <path d="M2.5 16.5c.6-3 2.8-4.5 5.5-4.5s4.9 1.5 5.5 4.5" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" />
      <path d="M13 4.3a3 3 0 0 1 0 5.4M15 12.4c1.3.6 2.2 1.9 2.5 4.1" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" />
    </svg>
  ),
  booking: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <rect x="3" y="4.5" width="14" height="12.5" rx="1.8" fill="none" stroke="currentColor" strokeWidth="1.7" />
      <path
        d="M3 8.5h14M7 2.8v3.4M13 2.8v3.4M7.5 12.6l1.8 1.8 3.4-3.6"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.7"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  ),
  overview: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <rect x="3" y="3" width="6" height="6" rx="1.4" fill="none" stroke="currentColor" strokeWidth="1.7" />
      <rect x="11" y="3" width="6" height="6" rx="1.4" fill="none" stroke="currentColor" strokeWidth="1.7" />
      <rect x="3" y="11" width="6" height="6" rx="1.4" fill="none" stroke="currentColor" strokeWidth="1.7" />
      <rect x="11" y="11" width="6" height="6" rx="1.4" fill="none" stroke="currentColor" strokeWidth="1.7" />
    </svg>
  ),
  activity: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <path d="M2.5 10.5h3.2l2.1-5.5 4.2 10 2.1-4.5h3.4" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  hubspot: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <circle cx="13" cy="12" r="3.2" fill="none" stroke="currentColor" strokeWidth="1.8" />
      <path
        d="M13 8.8V5.5M13 5.5a1.4 1.4 0 1 0 0-.01M10.4 14.2L6 17M10.2 10.4L5 6.5"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        fill="none"
      />
      <circle cx="4.6" cy="6.2" r="1.4" fill="currentColor" />
    </svg>
  ),
  phone: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <path
        d="M6.2 3.5l2 3.4-1.6 1.6a9 9 0 0 0 4.9 4.9l1.6-1.6 3.4 2-.9 2.6c-.3.8-1.1 1.2-1.9 1A14 14 0 0 1 3.1 6.9c-.2-.8.2-1.6 1-1.9z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.7"
        strokeLinejoin="round"
      />
    </svg>
  ),
  calls: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <path d="M4 5h12M4 10h12M4 15h8" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" />
      <circle cx="15.5" cy="15" r="1.6" fill="currentColor" />
    </svg>
  ),
  cards: (
    <svg viewBox="0 0 20 20" aria-hidden="true">
      <rect x="2.5" y="4.5" width="15" height="11" rx="1.6" fill="none" stroke="currentColor" strokeWidth="1.7" />
      <circle cx="7" cy="9" r="1.6" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path
        d="M4.8 13c.5-1.2 1.3-1.8 2.2-1.8s1.7.6 2.2 1.8M11.5 8.5h3.5M11.5 11.5h3.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinecap="round"
      />
    </svg>
  ),
};
