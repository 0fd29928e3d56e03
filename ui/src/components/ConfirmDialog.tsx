import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../api.ts';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in a sentence or two; extra form fields may follow. */
  children: ReactNode;
  confirmLabel: string;
  /** Shown on the confirm button while the action runs, e.g. "Pausing…". */
  busyLabel: string;
  dismissLabel?: string;
  tone?: 'primary' | 'danger';
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/**
 * A modal confirmation built on the native <dialog>: focus moves into it and is kept there,
 * Escape closes it, and focus returns to the button that opened it. The safe choice has focus
 * first, so Enter on a destructive dialog does not destroy anything.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, confirmLabel, busyLabel, dismissLabel = 'Go back', tone = 'primary', busy, error, onConfirm, onClose } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!busy) onConfirm();
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      {open && (
        <form className="dialog__form" onSubmit={handleSubmit}>
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          <div id={bodyId} className="dialog__body">
            {children}
          </div>
          {error !== null && error !== undefined && (
            <div className="notice notice--error" role="alert">
              <p className="notice__body">{errorMessage(error)}</p>
            </div>
          )}
          <div className="dialog__actions">
            <button type="button" className="button button--secondary" onClick={onClose} disabled={busy} autoFocus>
              {dismissLabel}
            </button>
            <button type="submit" className={tone === 'danger' ? 'button button--danger' : 'button'} disabled={busy}>
              {busy ? busyLabel : confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
