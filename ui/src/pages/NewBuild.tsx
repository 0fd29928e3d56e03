import { useCallback, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api.ts';
import { createBuild } from '../builds.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { SpecMeta } from '../components/SpecMeta.tsx';
import { formatBytes, plural } from '../format.ts';
import { listProjects } from '../projects.ts';
import { createSpec, listSpecs, MAX_SPEC_BYTES, measureSpec } from '../specs.ts';
import type { BuildOptionsInput, NewBuildInput, Project, SpecSummary } from '../types.ts';
import { usePolling } from '../usePolling.ts';

type Source = 'saved' | 'paste' | 'upload';

// Suggestions only: the server accepts any model name its endpoint serves.
const SUGGESTED_MODELS = ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-fable-5-2', 'claude-haiku-4-5'];

interface OptionFields {
  model: string;
  maxIterations: string;
  maxCostUsd: string;
  maxHours: string;
  stallLimit: string;
}

/** The form's option fields as the API's options, leaving out the empty ones (server defaults). */
function toOptions(fields: OptionFields): BuildOptionsInput | undefined {
  const options: BuildOptionsInput = {};
  if (fields.model.trim()) options.model = fields.model.trim();
  if (fields.maxIterations.trim()) options.maxIterations = Number(fields.maxIterations);
  if (fields.maxCostUsd.trim()) options.maxCostUsd = Number(fields.maxCostUsd);
  if (fields.maxHours.trim()) options.maxHours = Number(fields.maxHours);
  if (fields.stallLimit.trim()) options.stallLimit = Number(fields.stallLimit);
  return Object.keys(options).length > 0 ? options : undefined;
}

/** Specs and projects to pick from; the form works (paste, upload) even if these fail to load. */
function useChoices() {
  const fetchChoices = useCallback(async (signal: AbortSignal) => {
    const [specs, projects] = await Promise.all([listSpecs({ limit: 100 }, signal), listProjects({ limit: 100 }, signal)]);
    return { specs: specs.items, projects: projects.items };
  }, []);
  return usePolling<{ specs: SpecSummary[]; projects: Project[] }>(fetchChoices, 0, false);
}

export function NewBuild() {
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const choices = useChoices();
  const presetSpecId = searchParams.get('specId') ?? '';
  const [source, setSource] = useState<Source>(presetSpecId ? 'saved' : 'paste');
  const [specId, setSpecId] = useState(presetSpecId);
  const [specText, setSpecText] = useState('');
  const [saveAsSpec, setSaveAsSpec] = useState(false);
  const [name, setName] = useState('');
  const [projectId, setProjectId] = useState(searchParams.get('projectId') ?? '');
  const [options, setOptions] = useState<OptionFields>({ model: '', maxIterations: '', maxCostUsd: '', maxHours: '', stallLimit: '' });
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const id = useId();

  const specs = choices.data?.specs ?? [];
  const projects = choices.data?.projects ?? [];
  // Before the list loads the preset id is kept; afterwards an unknown id falls back to the newest spec.
  const selectedSpec = specs.find((s) => s.id === specId);
  const effectiveSpecId = selectedSpec ? selectedSpec.id : choices.data ? (specs[0]?.id ?? '') : specId;
  const measured = measureSpec(specText);

  const setOption = (key: keyof OptionFields) => (event: ChangeEvent<HTMLInputElement>) => setOptions((o) => ({ ...o, [key]: event.target.value }));

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
      setSpecText(await file.text());
      setFileNote(`Loaded ${file.name} (${formatBytes(file.size)}). It is shown below; you can still edit it.`);
      if (!name.trim()) setName(file.name.replace(/\.[^.]+$/, ''));
    } catch {
      setError(new Error(`Could not read ${file.name}.`));
    }
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const input: NewBuildInput = {};
    if (name.trim()) input.name = name.trim();
    if (projectId) input.projectId = projectId;
    const buildOptions = toOptions(options);
    if (buildOptions) input.options = buildOptions;

    if (source === 'saved') {
      if (!effectiveSpecId) return setError(new Error('Pick a saved spec, or paste or upload one.'));
      input.specId = effectiveSpecId;
    } else {
      if (!specText.trim()) return setError(new Error('Describe the app to build: write, paste or upload an app spec.'));
      if (measured.sizeBytes > MAX_SPEC_BYTES) return setError(new Error('The app spec is larger than 1 MB. Shorten it and try again.'));
    }

    setSubmitting(true);
    try {
      if (source !== 'saved') {
        if (saveAsSpec) {
          const saved = await createSpec({ name: name.trim() || firstLine(specText), content: specText });
          input.specId = saved.id;
        } else {
          input.spec = specText;
        }
      }
      const build = await createBuild(input);
      await navigate(`/builds/${encodeURIComponent(build.id)}`);
    } catch (failure) {
      setError(failure);
      setSubmitting(false);
    }
  }

  return (
    <>
      <title>New build · Autonomous Agents</title>
      <PageHeader title="New build" subtitle="Pick a spec, set the limits, and the agent builds until every feature passes." />
      <form className="form card" onSubmit={handleSubmit}>
        <fieldset className="fieldset">
          <legend>App spec</legend>
          <div className="segmented" role="radiogroup" aria-label="Where the spec comes from">
            {(
              [
                ['saved', 'Saved spec'],
                ['paste', 'Paste'],
                ['upload', 'Upload a file'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="segmented__option">
                <input type="radio" name="source" value={value} checked={source === value} onChange={() => setSource(value)} />
                <span>{label}</span>
              </label>
            ))}
          </div>

          {source === 'saved' && (
            <div className="field">
              <label htmlFor={`${id}-spec`}>Spec</label>
              {choices.error !== null ? (
                <p className="field__hint">Could not load your specs: {errorMessage(choices.error)} Paste or upload the spec instead.</p>
              ) : !choices.data ? (
                <p className="field__hint">Loading your specs…</p>
              ) : specs.length === 0 ? (
                <p className="field__hint">
                  You have no saved specs yet. <Link to="/specs/new">Write one</Link>, or paste or upload a spec.
                </p>
              ) : (
                <>
                  <select id={`${id}-spec`} value={effectiveSpecId} onChange={(e) => setSpecId(e.target.value)}>
                    {specs.map((spec) => (
                      <option key={spec.id} value={spec.id}>
                        {spec.name}
                      </option>
                    ))}
                  </select>
                  {selectedSpec && (
                    <p className="field__hint">
                      <SpecMeta spec={selectedSpec} /> · <Link to={`/specs/${encodeURIComponent(selectedSpec.id)}`}>View</Link>
                    </p>
                  )}
                </>
              )}
            </div>
          )}

          {source === 'upload' && (
            <div className="field">
              <label htmlFor={`${id}-file`}>Spec file</label>
              <input id={`${id}-file`} type="file" accept=".txt,.md,.markdown,.xml,text/plain,text/markdown" onChange={handleFile} />
              {fileNote && (
                <p className="field__hint" role="status">
                  {fileNote}
                </p>
              )}
            </div>
          )}

          {(source === 'paste' || (source === 'upload' && specText !== '')) && (
            <div className="field">
              <div className="field__label-row">
                <label htmlFor={`${id}-text`}>App spec</label>
                <span className="field__counter" id={`${id}-meta`}>
                  {formatBytes(measured.sizeBytes)} of 1 MB · {plural(measured.lineCount, 'line')}
                </span>
              </div>
              <textarea
                id={`${id}-text`}
                name="spec"
                rows={14}
                spellCheck={false}
                aria-describedby={`${id}-meta ${id}-hint`}
                value={specText}
                onChange={(e) => setSpecText(e.target.value)}
                placeholder="Describe the app: who it is for, its pages, features and technology."
              />
              <p id={`${id}-hint`} className="field__hint">
                The agent reads this as <code>app_spec.txt</code>, plans a feature list from it, then builds until every feature passes.
              </p>
            </div>
          )}

          {source !== 'saved' && (
            <label className="checkbox">
              <input type="checkbox" checked={saveAsSpec} onChange={(e) => setSaveAsSpec(e.target.checked)} />
              Also save it as a spec, to build it again later
            </label>
          )}
        </fieldset>

        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-name`}>
              Build name <span className="field__optional">(optional)</span>
            </label>
            <input id={`${id}-name`} name="name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="Taken from the spec" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-project`}>
              Project <span className="field__optional">(optional)</span>
            </label>
            <select id={`${id}-project`} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value="">No project</option>
              {projects.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          </div>
        </div>

        <fieldset className="fieldset">
          <legend>Model and limits</legend>
          <p className="field__hint">Leave a field empty for the server's default. A build that reaches a limit pauses, and can be resumed with a higher one.</p>
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${id}-model`}>Model</label>
              <input id={`${id}-model`} name="model" value={options.model} onChange={setOption('model')} placeholder="Server default" list={`${id}-models`} />
              <datalist id={`${id}-models`}>
                {SUGGESTED_MODELS.map((model) => (
                  <option key={model} value={model} />
                ))}
              </datalist>
            </div>
            <NumberField id={`${id}-iterations`} label="Max iterations" value={options.maxIterations} onChange={setOption('maxIterations')} min={1} step={1} />
            <NumberField id={`${id}-cost`} label="Cost budget (USD)" value={options.maxCostUsd} onChange={setOption('maxCostUsd')} min={0.01} step={0.01} />
            <NumberField id={`${id}-hours`} label="Time limit (hours)" value={options.maxHours} onChange={setOption('maxHours')} min={0.1} step={0.1} />
            <NumberField id={`${id}-stall`} label="Stall limit (sessions)" value={options.stallLimit} onChange={setOption('stallLimit')} min={1} step={1} />
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

function NumberField(props: { id: string; label: string; value: string; onChange: (e: ChangeEvent<HTMLInputElement>) => void; min: number; step: number }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min={props.min}
        step={props.step}
        inputMode={props.step < 1 ? 'decimal' : 'numeric'}
        value={props.value}
        onChange={props.onChange}
        placeholder="Default"
      />
    </div>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? 'Untitled spec';
  return line.replace(/^[#\s<>/]+|[<>/]+$/g, '').trim().slice(0, 200) || 'Untitled spec';
}
