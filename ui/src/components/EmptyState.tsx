import type { ReactNode } from 'react';

/** "Nothing here yet", with what to do about it. */
export function EmptyState({ title, children, action, headingLevel = 2 }: { title: string; children?: ReactNode; action?: ReactNode; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="empty">
      <Heading className="empty__title">{title}</Heading>
      {children && <p className="muted">{children}</p>}
      {action}
    </div>
  );
}
