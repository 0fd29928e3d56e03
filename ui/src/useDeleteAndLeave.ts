import { useState } from 'react';
import { useNavigate } from 'react-router';

/**
 * Confirm-then-delete for a detail page: while the request runs the dialog shows it is busy;
 * on success the page is left for `to` (replacing history, so Back does not return to a ghost);
 * on failure the error stays in the dialog.
 */
export function useDeleteAndLeave(remove: () => Promise<unknown>, to: string) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await remove();
      await navigate(to, { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  function close() {
    setConfirming(false);
    setError(null);
  }

  // Everything ConfirmDialog needs to show this deletion, to spread onto it.
  const dialog = { open: confirming, busy, error, onConfirm: confirm, onClose: close };

  return { setConfirming, dialog };
}
