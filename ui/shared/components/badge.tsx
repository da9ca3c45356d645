import type { ReactNode } from 'react';

export type BadgeTone = 'success' | 'danger' | 'warning' | 'neutral';

/** A status pill. The dot carries the colour; the words carry the meaning (never colour alone). */
export function Badge({ tone, children, plain = false }: { tone: BadgeTone; children: ReactNode; plain?: boolean }) {
  return <span className={`badge badge-${tone}${plain ? ' badge-plain' : ''}`}>{children}</span>;
}
