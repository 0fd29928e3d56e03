import { Area, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { formatDateTime, formatSpan } from '../format.ts';
import type { Build, IterationRecord } from '../types.ts';

interface Point {
  /** Milliseconds since the build started. */
  t: number;
  passing: number;
  total: number;
  /** The session that ended here; absent for the start and "now" points. */
  iteration?: number;
  at: string;
}

/** Start, one point per recorded session, and the present (or the end): features over time. */
export function burnUpPoints(build: Build, iterations: IterationRecord[], now: number): Point[] {
  const records = [...iterations].sort((a, b) => a.iteration - b.iteration);
  const startIso = build.startedAt ?? records[0]?.createdAt ?? build.createdAt;
  const start = Date.parse(startIso);
  const points: Point[] = [{ t: 0, passing: 0, total: 0, at: startIso }];
  for (const r of records) {
    points.push({ t: Math.max(0, Date.parse(r.createdAt) - start), passing: r.featuresPassing, total: r.featuresTotal, iteration: r.iteration, at: r.createdAt });
  }
  const endIso = build.finishedAt ?? new Date(now).toISOString();
  const end = Date.parse(endIso) - start;
  const last = points[points.length - 1]!;
  if (end > last.t) points.push({ t: end, passing: build.features.passing, total: build.features.total, at: endIso });
  return points;
}

/** Round steps for a time axis, from seconds to days. */
const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** At most about six ticks at a round step, so labels never repeat whatever the build's length. */
export function timeTicks(maxMs: number): number[] {
  const stepS = TICK_STEPS_S.find((s) => maxMs / (s * 1000) <= 6) ?? 86400 * Math.ceil(maxMs / 86400_000 / 6);
  const ticks: number[] = [];
  for (let t = 0; t <= maxMs; t += stepS * 1000) ticks.push(t);
  return ticks;
}

/** "0", "45s", "15m", "1h 30m", "2d": exact for the round steps above. */
function axisTime(ms: number): string {
  if (ms === 0) return '0';
  const s = Math.round(ms / 1000);
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor((s % 86400) / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']] as const;
  return parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}

function PointTooltip({ active, payload }: TooltipContentProps) {
  const point = active ? (payload?.[0]?.payload as Point | undefined) : undefined;
  if (!point) return null;
  return (
    <div className="chart-tooltip">
      <p className="chart-tooltip__title">{point.iteration !== undefined ? `After session ${point.iteration}` : point.t === 0 ? 'Start' : 'Now'}</p>
      <p>
        {point.passing} of {point.total} features passing
      </p>
      <p className="muted">
        {formatDateTime(point.at)} · {formatSpan(point.t)} in
      </p>
    </div>
  );
}

/**
 * The burn-up chart: features passing (area) against the feature list's size (dashed line)
 * over the build's time. Loaded on demand with its chart library, apart from the first page.
 */
export default function BurnUpChart({ build, iterations, now }: { build: Build; iterations: IterationRecord[]; now: number }) {
  const points = burnUpPoints(build, iterations, now);
  const top = Math.max(1, ...points.map((p) => p.total));
  const end = points[points.length - 1]!.t;
  return (
    <div className="burnup" data-testid="burnup-chart" data-points={points.length} aria-hidden="false">
      <ComposedChart data={points} responsive style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 16, bottom: 4, left: -16 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="t" type="number" domain={[0, end]} ticks={timeTicks(end)} tickFormatter={axisTime} stroke="var(--text-muted)" fontSize={12} tickLine={false} />
        <YAxis domain={[0, top]} allowDecimals={false} stroke="var(--text-muted)" fontSize={12} tickLine={false} width={48} />
        <Tooltip content={PointTooltip} />
        <Area
          type="stepAfter"
          dataKey="passing"
          name="Passing"
          stroke="var(--success)"
          fill="var(--success)"
          fillOpacity={0.18}
          strokeWidth={2}
          isAnimationActive={false}
          dot={{ r: 3, fill: 'var(--success)' }}
        />
        <Line type="stepAfter" dataKey="total" name="Total" stroke="var(--text-muted)" strokeDasharray="6 4" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </ComposedChart>
    </div>
  );
}
