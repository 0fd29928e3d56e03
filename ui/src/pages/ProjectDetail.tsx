import { useCallback, useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage, isNotFound } from '../api.ts';
import { listBuilds } from '../builds.ts';
import { BuildTable } from '../components/BuildTable.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { ResourceNotFound } from '../components/ResourceNotFound.tsx';
import { deleteProject, getProject, updateProject } from '../projects.ts';
import { isActiveStatus, type Project } from '../types.ts';
import { useDeleteAndLeave } from '../useDeleteAndLeave.ts';
import { usePolling } from '../usePolling.ts';

const PROJECT_POLL_MS = 5000;

export function ProjectDetail() {
  const { id = '' } = useParams();
  const fetchProject = useCallback(
    async (signal: AbortSignal) => {
      const [project, builds] = await Promise.all([getProject(id, signal), listBuilds({ projectId: id, limit: 50 }, signal)]);
      return { project, builds };
    },
    [id],
  );
  const { data, error, refresh } = usePolling(fetchProject, PROJECT_POLL_MS, (latest) => latest.builds.items.some((b) => isActiveStatus(b.status)));
  const [edited, setEdited] = useState<Project | null>(null);
  const [editing, setEditing] = useState(false);
  const deletion = useDeleteAndLeave(() => deleteProject(id), '/projects');

  if (isNotFound(error)) return <ResourceNotFound what="Project" backTo="/projects" backLabel="Back to projects" />;
  if (!data || data.project.id !== id) return error ? <ErrorNotice error={error} title="Could not load this project" onRetry={refresh} /> : <Loading label="Loading project…" />;
  const project = edited?.id === id && edited.updatedAt >= data.project.updatedAt ? edited : data.project;


  return (
    <>
      <title>{`${project.name} · Projects · Autonomous Agents`}</title>
      <Link to="/projects" className="back-link">
        ← All projects
      </Link>
      <PageHeader
        title={project.name}
        subtitle={project.description || undefined}
        actions={
          <>
            <Link className="button" to={`/builds/new?projectId=${encodeURIComponent(project.id)}`}>
              New build here
            </Link>
            <button type="button" className="button button--secondary" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
              Edit
            </button>
            <button type="button" className="button button--ghost-danger" onClick={() => deletion.setConfirming(true)}>
              Delete
            </button>
          </>
        }
      />
      {error !== null && <ErrorNotice error={error} title="Could not refresh this project" onRetry={refresh} />}
      {editing && (
        <EditProjectForm
          project={project}
          onSaved={(saved) => {
            setEdited(saved);
            setEditing(false);
            refresh();
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      <section className="card" aria-labelledby="project-builds-title">
        <h2 id="project-builds-title" className="card__title">
          Builds
        </h2>
        {data.builds.items.length > 0 ? (
          <BuildTable builds={data.builds.items} caption={`Builds in ${project.name}`} />
        ) : (
          <EmptyState title="No builds in this project yet" headingLevel={3}>
            Start one with “New build here”.
          </EmptyState>
        )}
        {data.builds.nextCursor && <p className="muted">Showing the 50 most recent builds.</p>}
      </section>
      <ConfirmDialog
        {...deletion.dialog}
        title="Delete this project?"
        confirmLabel="Delete project"
        busyLabel="Deleting…"
        tone="danger"
      >
        <p>
          <strong>{project.name}</strong> will be deleted. Its builds are kept, without a project.
        </p>
      </ConfirmDialog>
    </>
  );
}

function EditProjectForm({ project, onSaved, onCancel }: { project: Project; onSaved: (project: Project) => void; onCancel: () => void }) {
  const id = useId();
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) return setError(new Error('A project needs a name.'));
    setSaving(true);
    setError(null);
    try {
      onSaved(await updateProject(project.id, { name: name.trim(), description: description.trim() || null }));
    } catch (failure) {
      setError(failure);
      setSaving(false);
    }
  }

  return (
    <form className="card form" onSubmit={handleSubmit} aria-label="Edit project">
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <input id={`${id}-description`} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
      </div>
      {error !== null && (
        <div className="notice notice--error" role="alert">
          <p className="notice__body">{errorMessage(error)}</p>
        </div>
      )}
      <div className="form__actions">
        <button type="submit" className="button" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button button--ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
