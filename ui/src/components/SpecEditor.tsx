import { useEffect, useId, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../api.ts';
import { formatBytes, plural } from '../format.ts';
import { MAX_SPEC_BYTES, measureSpec } from '../specs.ts';

interface SpecEditorProps {
  initialName?: string;
  initialContent?: string;
  submitLabel: string;
  submittingLabel: string;
  onSubmit: (input: { name: string; content: string }) => Promise<void>;
  /** Extra buttons beside Save (Cancel, Discard). */
  secondaryActions?: ReactNode;
}

/** Name and content of an app spec, with its size and line count as you type, and file upload. */
export function SpecEditor({ initialName = '', initialContent = '', submitLabel, submittingLabel, onSubmit, secondaryActions }: SpecEditorProps) {
  const [name, setName] = useState(initialName);
  const [content, setContent] = useState(initialContent);
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ids = { name: useId(), content: useId(), file: useId(), meta: useId() };
  const { sizeBytes, lineCount } = measureSpec(content);
  const tooLarge = sizeBytes > MAX_SPEC_BYTES;
  const dirty = name !== initialName || content !== initialContent;

  // Leaving the page with unsaved text asks first.
  useEffect(() => {
    if (!dirty || submitting) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty, submitting]);

  async function handleFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setError(null);
    if (file.size > MAX_SPEC_BYTES) {
      setError(new Error(`${file.name} is larger than 1 MB; an app spec must be smaller.`));
      return;
    }
    try {
      setContent(await file.text());
      setFileNote(`Loaded ${file.name}. You can edit it below.`);
      if (!name.trim()) setName(file.name.replace(/\.[^.]+$/, ''));
    } catch {
      setError(new Error(`Could not read ${file.name}.`));
    }
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (!name.trim()) return setError(new Error('Give the spec a name.'));
    if (!content.trim()) return setError(new Error('The spec is empty: describe the app to build.'));
    if (tooLarge) return setError(new Error('The spec is larger than 1 MB. Shorten it and try again.'));
    setSubmitting(true);
    try {
      await onSubmit({ name: name.trim(), content });
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="form card" onSubmit={handleSubmit} aria-label="App spec">
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} name="name" maxLength={200} required value={name} onChange={(e) => setName(e.target.value)} placeholder="Notes app" />
      </div>
      <div className="field">
        <div className="field__label-row">
          <label htmlFor={ids.content}>Spec</label>
          <span id={ids.meta} className={tooLarge ? 'field__counter field__counter--over' : 'field__counter'} data-testid="spec-editor-meta" aria-live="polite">
            {formatBytes(sizeBytes)} of 1 MB · {plural(lineCount, 'line')}
          </span>
        </div>
        <textarea
          id={ids.content}
          name="content"
          rows={20}
          spellCheck={false}
          aria-describedby={ids.meta}
          aria-invalid={tooLarge || undefined}
          value={content}
          onChange={(e) => setContent(e.target.value)}
          placeholder="Describe the app: who it is for, its pages, features and technology."
        />
      </div>
      <div className="field">
        <label htmlFor={ids.file}>Or load it from a file</label>
        <input id={ids.file} type="file" accept=".txt,.md,.markdown,.xml,text/plain,text/markdown" onChange={handleFile} />
        {fileNote && (
          <p className="field__hint" role="status">
            {fileNote}
          </p>
        )}
      </div>
      {error !== null && (
        <div className="notice notice--error" role="alert">
          <p className="notice__body">{errorMessage(error)}</p>
        </div>
      )}
      <div className="form__actions">
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? submittingLabel : submitLabel}
        </button>
        {secondaryActions}
      </div>
    </form>
  );
}
