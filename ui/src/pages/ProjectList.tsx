import { useCallback, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../api.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatRelative, plural } from '../format.ts';
import { createProject, listProjects } from '../projects.ts';
import { usePolling } from '../usePolling.ts';

/** Projects group builds of the same app (or client); each has its own page with its builds. */
export function ProjectList() {
  const fetchProjects = useCallback((signal: AbortSignal) => listProjects({ limit: 100 }, signal), []);
  const { data, error, refresh } = usePolling(fetchProjects, 0, false);

  return (
    <>
      <title>Projects · Autonomous Agents</title>
      <PageHeader title="Projects" subtitle="Group the builds of one app or client together." />
      <NewProjectForm onCreated={refresh} />
      {error !== null && <ErrorNotice error={error} title="Could not load projects" onRetry={refresh} />}
      {!data ? (
        !error && <Loading label="Loading projects…" />
      ) : data.items.length === 0 ? (
        <div className="card">
          <EmptyState title="No projects yet">Create one above, then pick it when you start a build.</EmptyState>
        </div>
      ) : (
        <ul className="card-grid" aria-label="Your projects">
          {data.items.map((project) => (
            <li key={project.id} className="card project-card" data-testid="project-card">
              <h2 className="card__title">
                <Link to={`/projects/${encodeURIComponent(project.id)}`}>{project.name}</Link>
              </h2>
              {project.description && <p className="muted project-card__description">{project.description}</p>}
              <p className="project-card__meta">
                {project.buildCount !== undefined ? plural(project.buildCount, 'build') : 'Builds'} · updated {formatRelative(project.updatedAt)}
              </p>
            </li>
          ))}
        </ul>
      )}
      {data?.nextCursor && <p className="muted">Showing your first {data.items.length} projects.</p>}
    </>
  );
}

function NewProjectForm({ onCreated }: { onCreated: () => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setCreated(null);
    if (!name.trim()) return setError(new Error('Give the project a name.'));
    setSubmitting(true);
    try {
      const project = await createProject({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
      setName('');
      setDescription('');
      setCreated(`Project “${project.name}” created.`);
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="card form form--inline" onSubmit={handleSubmit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card__title">
        New project
      </h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>
            Description <span className="field__optional">(optional)</span>
          </label>
          <input id={`${id}-description`} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
      </div>
      {error !== null && (
        <div className="notice notice--error" role="alert">
          <p className="notice__body">{errorMessage(error)}</p>
        </div>
      )}
      {created && (
        <p className="notice notice--success" role="status">
          {created}
        </p>
      )}
      <div className="form__actions">
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? 'Creating…' : 'Create project'}
        </button>
      </div>
    </form>
  );
}
