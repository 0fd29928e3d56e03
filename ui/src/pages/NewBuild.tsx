import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../api.ts';
import { createBuild } from '../builds.ts';
import type { NewBuildInput } from '../types.ts';

// The API refuses specs over 1 MB; checking here saves an upload that would fail.
const MAX_SPEC_BYTES = 1024 * 1024;

function specTooLarge(text: string): boolean {
  return new TextEncoder().encode(text).length > MAX_SPEC_BYTES;
}

/** Turns the form's text fields into the API's input, leaving out empty options. */
function toBuildInput(fields: { name: string; spec: string; model: string; maxIterations: string; maxCostUsd: string }): NewBuildInput {
  const options: NonNullable<NewBuildInput['options']> = {};
  if (fields.model.trim()) options.model = fields.model.trim();
  if (fields.maxIterations.trim()) options.maxIterations = Number(fields.maxIterations);
  if (fields.maxCostUsd.trim()) options.maxCostUsd = Number(fields.maxCostUsd);
  return {
    spec: fields.spec,
    ...(fields.name.trim() ? { name: fields.name.trim() } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

export function NewBuild() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [spec, setSpec] = useState('');
  const [model, setModel] = useState('');
  const [maxIterations, setMaxIterations] = useState('');
  const [maxCostUsd, setMaxCostUsd] = useState('');
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function handleFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    setError(null);
    if (file.size > MAX_SPEC_BYTES) {
      setError(new Error(`${file.name} is larger than 1 MB; the app spec must be smaller.`));
      event.target.value = '';
      return;
    }
    try {
      setSpec(await file.text());
      setFileNote(`Loaded ${file.name}. You can edit it below.`);
      if (!name.trim()) setName(file.name.replace(/\.[^.]+$/, ''));
    } catch {
      setError(new Error(`Could not read ${file.name}.`));
    }
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (!spec.trim()) {
      setError(new Error('Describe the app to build: write or upload an app spec.'));
      return;
    }
    if (specTooLarge(spec)) {
      setError(new Error('The app spec is larger than 1 MB. Shorten it and try again.'));
      return;
    }
    setSubmitting(true);
    try {
      const build = await createBuild(toBuildInput({ name, spec, model, maxIterations, maxCostUsd }));
      await navigate(`/builds/${encodeURIComponent(build.id)}`);
    } catch (failure) {
      setError(failure);
      setSubmitting(false);
    }
  }

  return (
    <>
      <title>New build · Autonomous Agents</title>
      <div className="page-header">
        <h1>New build</h1>
      </div>
      <form className="form card" onSubmit={handleSubmit}>
        <div className="field">
          <label htmlFor="build-name">
            Name <span className="field__optional">(optional)</span>
          </label>
          <input id="build-name" name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="My todo app" />
        </div>

        <div className="field">
          <label htmlFor="build-spec">App spec</label>
          <textarea
            id="build-spec"
            name="spec"
            rows={14}
            required
            aria-describedby="build-spec-hint"
            value={spec}
            onChange={(e) => setSpec(e.target.value)}
            placeholder="Describe the app: who it is for, its pages, features and technology."
          />
          <p id="build-spec-hint" className="field__hint">
            The agent reads this as <code>app_spec.txt</code>, plans a feature list from it, then builds until every feature passes.
          </p>
        </div>

        <div className="field">
          <label htmlFor="build-spec-file">Or load the spec from a file</label>
          <input id="build-spec-file" type="file" accept=".txt,.md,.markdown,.xml,text/plain,text/markdown" onChange={handleFile} />
          {fileNote && (
            <p className="field__hint" role="status">
              {fileNote}
            </p>
          )}
        </div>

        <fieldset className="fieldset">
          <legend>Options</legend>
          <div className="field-row">
            <div className="field">
              <label htmlFor="build-model">Model</label>
              <input id="build-model" name="model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="Server default" />
            </div>
            <div className="field">
              <label htmlFor="build-max-iterations">Max iterations</label>
              <input
                id="build-max-iterations"
                name="maxIterations"
                type="number"
                min={1}
                step={1}
                inputMode="numeric"
                value={maxIterations}
                onChange={(e) => setMaxIterations(e.target.value)}
                placeholder="Server default"
              />
            </div>
            <div className="field">
              <label htmlFor="build-max-cost">Cost budget (USD)</label>
              <input
                id="build-max-cost"
                name="maxCostUsd"
                type="number"
                min={0.01}
                step={0.01}
                inputMode="decimal"
                value={maxCostUsd}
                onChange={(e) => setMaxCostUsd(e.target.value)}
                placeholder="Server default"
              />
            </div>
          </div>
        </fieldset>

        {error !== null && (
          <div className="notice notice--error" role="alert">
            <p className="notice__body">{errorMessage(error)}</p>
          </div>
        )}

        <div className="form__actions">
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? 'Starting build…' : 'Start build'}
          </button>
          <Link to="/" className="button button--ghost">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
