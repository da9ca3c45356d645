import type { ReactNode } from 'react';

export type AlertTone = 'info' | 'success' | 'warning' | 'danger';

const ICONS: Record<AlertTone, ReactNode> = {
  info: (
    <>
      <circle cx="10" cy="10" r="8" />
      <path d="M10 9v5M10 6.2v.1" />
    </>
  ),
  success: (
    <>
      <circle cx="10" cy="10" r="8" />
      <path d="M6.5 10.5l2.3 2.3 4.7-5" />
    </>
  ),
  warning: (
    <>
      <path d="M10 2.8l7.6 13.4H2.4z" />
      <path d="M10 8v4M10 14.2v.1" />
    </>
  ),
  danger: (
    <>
      <circle cx="10" cy="10" r="8" />
      <path d="M10 5.8v5M10 13.8v.1" />
    </>
  ),
};

export function Alert({ tone, title, children, actions }: { tone: AlertTone; title?: ReactNode; children?: ReactNode; actions?: ReactNode }) {
  // Errors interrupt (role=alert); the rest is announced politely.
  return (
    <div className={`alert alert-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <svg
        className="alert-icon"
        viewBox="0 0 20 20"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
      >
        {ICONS[tone]}
      </svg>
      <div className="alert-body">
        {title && <div className="alert-title">{title}</div>}
        {children && <div>{children}</div>}
        {actions && <div className="row alert-actions">{actions}</div>}
      </div>
    </div>
  );
}
