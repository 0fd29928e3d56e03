import { useCallback, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { isNotFound } from '../api.ts';
import { CodeView } from '../components/CodeView.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { SpecEditor } from '../components/SpecEditor.tsx';
import { SpecMeta } from '../components/SpecMeta.tsx';
import { formatDateTime } from '../format.ts';
import { deleteSpec, getSpec, updateSpec } from '../specs.ts';
import type { Spec } from '../types.ts';
import { usePolling } from '../usePolling.ts';

/** One spec: read it, edit it, build it, or delete it. */
export function SpecDetail() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const fetchSpec = useCallback((signal: AbortSignal) => getSpec(id, signal), [id]);
  const { data, error, refresh } = usePolling(fetchSpec, 0, false);
  const [edited, setEdited] = useState<Spec | null>(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>((location.state as { saved?: boolean } | null)?.saved ? 'Spec saved.' : null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const spec = edited?.id === id ? edited : data?.id === id ? data : undefined;

  if (isNotFound(error)) {
    return (
      <div className="card">
        <title>Spec not found · Autonomous Agents</title>
        <EmptyState title="Spec not found" action={<Link className="button" to="/specs">Back to specs</Link>}>
          It was deleted, or it belongs to another account.
        </EmptyState>
      </div>
    );
  }
  if (!spec) return error ? <ErrorNotice error={error} title="Could not load this spec" onRetry={refresh} /> : <Loading label="Loading spec…" />;

  async function remove() {
    setDeleting(true);
    setDeleteError(null);
    try {
      await deleteSpec(id);
      await navigate('/specs', { replace: true });
    } catch (failure) {
      setDeleteError(failure);
      setDeleting(false);
    }
  }

  return (
    <>
      <title>{`${spec.name} · Specs · Autonomous Agents`}</title>
      <Link to="/specs" className="back-link">
        ← All specs
      </Link>
      <PageHeader
        title={spec.name}
        subtitle={
          <>
            <SpecMeta spec={spec} /> · updated <time dateTime={spec.updatedAt}>{formatDateTime(spec.updatedAt)}</time>
          </>
        }
        actions={
          !editing && (
            <>
              <Link className="button" to={`/builds/new?specId=${encodeURIComponent(spec.id)}`}>
                Start build
              </Link>
              <button type="button" className="button button--secondary" onClick={() => { setEditing(true); setNotice(null); }}>
                Edit
              </button>
              <button type="button" className="button button--ghost-danger" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            </>
          )
        }
      />
      {notice && (
        <div className="notice notice--success" role="status">
          <p className="notice__body">{notice}</p>
        </div>
      )}
      {editing ? (
        <SpecEditor
          initialName={spec.name}
          initialContent={spec.content}
          submitLabel="Save changes"
          submittingLabel="Saving…"
          onSubmit={async (input) => {
            setEdited(await updateSpec(spec.id, input));
            setEditing(false);
            setNotice('Changes saved. Builds already started keep the spec they started with.');
          }}
          secondaryActions={
            <button type="button" className="button button--ghost" onClick={() => setEditing(false)}>
              Discard changes
            </button>
          }
        />
      ) : (
        <section className="card" aria-label="Spec content">
          <CodeView text={spec.content} label={`Content of ${spec.name}`} testId="spec-content" />
        </section>
      )}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this spec?"
        confirmLabel="Delete spec"
        busyLabel="Deleting…"
        tone="danger"
        busy={deleting}
        error={deleteError}
        onConfirm={remove}
        onClose={() => {
          setConfirmDelete(false);
          setDeleteError(null);
        }}
      >
        <p>
          <strong>{spec.name}</strong> will be deleted. Builds started from it keep their copy of the spec.
        </p>
      </ConfirmDialog>
    </>
  );
}
