import { formatBytes, plural } from '../format.ts';

/** "12.4 KB · 240 lines": how big a spec is, the same way everywhere. */
export function SpecMeta({ spec, extra }: { spec: { sizeBytes: number; lineCount: number }; extra?: string }) {
  return (
    <span className="spec-meta" data-testid="spec-meta">
      {formatBytes(spec.sizeBytes)} · {plural(spec.lineCount, 'line')}
      {extra ? ` · ${extra}` : ''}
    </span>
  );
}
