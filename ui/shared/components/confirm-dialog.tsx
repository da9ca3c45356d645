import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './button.tsx';

/** A modal question before an action (destructive by default); Escape and "Cancel" back out. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
  confirmVariant = 'danger',
  cancelLabel = 'Cancel',
  confirmDisabled,
  wide,
  plain,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** 'primary' for a confirmation that destroys nothing (e.g. saving a proposal). */
  confirmVariant?: 'danger' | 'primary';
  cancelLabel?: string;
  /** Nothing to confirm (an empty proposal): only Cancel works. */
  confirmDisabled?: boolean;
  /** Room for a table. */
  wide?: boolean;
  /** Body text in the normal colour (tables, lists) rather than muted prose. */
  plain?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <div className="dialog-body">
        <h2 id={titleId}>{title}</h2>
        <div className={plain ? 'dialog-content' : 'muted dialog-content'}>{children}</div>
      </div>
      <div className="dialog-actions">
        <Button onClick={onCancel} disabled={busy} autoFocus>
          {cancelLabel}
        </Button>
        <Button variant={confirmVariant} onClick={onConfirm} busy={busy} disabled={confirmDisabled}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
