interface ProgressBarProps {
  passing: number;
  total: number;
  label: string;
  size?: 'small' | 'large';
}

/** Features passing out of total, as a bar plus the "3 / 5" text tests look for. */
export function ProgressBar({ passing, total, label, size = 'small' }: ProgressBarProps) {
  const percent = total > 0 ? Math.round((passing / total) * 100) : 0;
  const complete = total > 0 && passing >= total;
  return (
    <div className={`progress progress--${size}`}>
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={passing}
        aria-valuetext={total > 0 ? `${passing} of ${total} features passing` : 'No features yet'}
      >
        <div className={`progress__fill${complete ? ' progress__fill--complete' : ''}`} style={{ width: `${percent}%` }} />
      </div>
      <span className="progress__text" data-testid="features-passing">
        {passing} / {total}
      </span>
    </div>
  );
}
