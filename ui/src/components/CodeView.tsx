import { useMemo } from 'react';

/** Text with line numbers in a scrolling box; the numbers are one string, so big files stay cheap. */
export function CodeView({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const gutter = useMemo(() => {
    const lines = text === '' ? 1 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return Array.from({ length: Math.max(1, lines) }, (_, i) => i + 1).join('\n');
  }, [text]);
  return (
    // The region scrolls, so it must be reachable and scrollable from the keyboard.
    <div className="code-view" role="region" aria-label={label} tabIndex={0} data-testid={testId}>
      <pre className="code-view__gutter" aria-hidden="true">
        {gutter}
      </pre>
      <pre className="code-view__text">
        <code>{text}</code>
      </pre>
    </div>
  );
}
