import { useCallback, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { isNotFound } from '../api.ts';
import { CodeView } from '../components/CodeView.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { ResourceNotFound } from '../components/ResourceNotFound.tsx';
import { SpecEditor } from '../components/SpecEditor.tsx';
import { SpecMeta } from '../components/SpecMeta.tsx';
import { formatDateTime } from '../format.ts';
import { deleteSpec, getSpec, updateSpec } from '../specs.ts';
import type { Spec } from '../types.ts';
import { useDeleteAndLeave } from '../useDeleteAndLeave.ts';
import { usePolling } from '../usePolling.ts';

/** One spec: read it, edit it, build it, or delete it. */
export function SpecDetail() {
  const { id = '' } = useParams();
  const location = useLocation();
  const fetchSpec = useCallback((signal: AbortSignal) => getSpec(id, signal), [id]);
  const { data, error, refresh } = usePolling(fetchSpec, 0, false);
  const [edited, setEdited] = useState<Spec | null>(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>((location.state as { saved?: boolean } | null)?.saved ? 'Spec saved.' : null);
  const deletion = useDeleteAndLeave(() => deleteSpec(id), '/specs');
  const spec = edited?.id === id ? edited : data?.id === id ? data : undefined;

  if (isNotFound(error)) return <ResourceNotFound what="Spec" backTo="/specs" backLabel="Back to specs" />;
  if (!spec) return error ? <ErrorNotice error={error} title="Could not load this spec" onRetry={refresh} /> : <Loading label="Loading spec…" />;


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
              <button type="button" className="button button--ghost-danger" onClick={() => deletion.setConfirming(true)}>
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
        {...deletion.dialog}
        title="Delete this spec?"
        confirmLabel="Delete spec"
        busyLabel="Deleting…"
        tone="danger"
      >
        <p>
          <strong>{spec.name}</strong> will be deleted. Builds started from it keep their copy of the spec.
        </p>
      </ConfirmDialog>
    </>
  );
}
