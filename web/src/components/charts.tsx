/**
 * Inline SVG charts (no chart library: a few hundred bytes each, nothing loaded from elsewhere, and
 * no inline styles: colours come from classes in the stylesheet). Each chart is an image with a
 * title and a description for screen readers, and the figures it draws are also in a table below it.
 */

// About the width of a dashboard card, so the axis text keeps close to its own size.
const W = 420;
const PAD = { top: 12, right: 14, bottom: 30, left: 64 };

export interface Series {
  name: string;
  className: string;
  points: Array<{ x: number; y: number; label?: string }>;
  dashed?: boolean;
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function LineChart({
  id,
  title,
  description,
  series,
  yMax,
  yFormat,
  xFormat,
  height = 200,
}: {
  id: string;
  title: string;
  description: string;
  series: Series[];
  yMax?: number;
  yFormat: (y: number) => string;
  xFormat: (x: number) => string;
  height?: number;
}) {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const top = yMax ?? niceMax(Math.max(...all.map((p) => p.y)));
  const innerW = W - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (maxX === minX ? innerW / 2 : ((x - minX) / (maxX - minX)) * innerW);
  const sy = (y: number) => PAD.top + innerH - (Math.min(y, top) / top) * innerH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  const xTicks = maxX === minX ? [minX] : [minX, minX + (maxX - minX) / 2, maxX];
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${height}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {ticks.map((t) => (
        <g key={t}>
          <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} />
          <text class="axis" x={PAD.left - 8} y={sy(t) + 4} text-anchor="end">
            {yFormat(t)}
          </text>
        </g>
      ))}
      {xTicks.map((x, i) => (
        <text
          key={x}
          class="axis"
          x={sx(x)}
          y={height - 12}
          text-anchor={xTicks.length === 1 ? 'middle' : i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
        >
          {xFormat(x)}
        </text>
      ))}
      {series.map((s) => (
        <g key={s.name} class={s.className}>
          {s.points.length > 1 ? (
            <polyline
              class={s.dashed ? 'line dashed' : 'line'}
              fill="none"
              points={s.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}
            />
          ) : null}
          {s.dashed
            ? null
            : s.points.map((p) => (
                <circle key={`${p.x}:${p.y}`} class="dot" cx={sx(p.x)} cy={sy(p.y)} r={4}>
                  <title>{p.label ?? `${xFormat(p.x)}: ${yFormat(p.y)}`}</title>
                </circle>
              ))}
        </g>
      ))}
    </svg>
  );
}

/** Horizontal bars, one per row, each labelled with its name and value. */
export function BarChart({
  id,
  title,
  description,
  bars,
}: {
  id: string;
  title: string;
  description: string;
  bars: Array<{ name: string; value: number; className: string }>;
}) {
  const rowH = 28;
  const labelW = 80;
  const valueW = 40;
  const height = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const innerW = W - labelW - valueW;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {bars.map((b, i) => (
        <g key={b.name} class={b.className}>
          <text class="bar-label" x={labelW - 8} y={i * rowH + 21} text-anchor="end">
            {b.name}
          </text>
          <rect
            class="bar"
            x={labelW}
            y={i * rowH + 6}
            height={rowH - 10}
            width={Math.max(2, (b.value / max) * innerW)}
            rx={3}
          />
          <text class="bar-value" x={labelW + Math.max(2, (b.value / max) * innerW) + 6} y={i * rowH + 21}>
            {b.value}
          </text>
        </g>
      ))}
    </svg>
  );
}
