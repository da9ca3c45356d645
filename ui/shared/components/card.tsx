import type { ReactNode } from 'react';

export function Card({
  title,
  description,
  actions,
  footer,
  children,
  labelledBy,
  className,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  footer?: ReactNode;
  children?: ReactNode;
  labelledBy?: string;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={labelledBy}>
      {(title || actions) && (
        <div className="card-header">
          <div>
            {title && <h2 id={labelledBy}>{title}</h2>}
            {description && <p className="muted small">{description}</p>}
          </div>
          {actions && <div className="row">{actions}</div>}
        </div>
      )}
      {children !== undefined && <div className="card-body">{children}</div>}
      {footer && <div className="card-footer">{footer}</div>}
    </section>
  );
}
