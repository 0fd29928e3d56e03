/** A quiet loading line that screen readers announce. */
export function Loading({ label = 'Loading…', inline = false }: { label?: string; inline?: boolean }) {
  return (
    <p className={inline ? 'loading loading--inline' : 'loading'} role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
