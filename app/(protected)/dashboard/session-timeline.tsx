import type { ReactNode } from 'react';
import type { MarkerKind, TimelineChart } from '@/lib/auth';

/** An event's shape on the chart and in its legend: shape as well as colour tells them apart. */
function Glyph({ kind, x, y }: { kind: MarkerKind; x: number; y: number }) {
  switch (kind) {
    case 'sign_in':
      return <path className="timeline-glyph sign-in" d={`M ${x} ${y - 7} L ${x + 7} ${y + 6} L ${x - 7} ${y + 6} Z`} />;
    case 'renewal':
      return <circle className="timeline-glyph renewal" cx={x} cy={y} r={6} />;
    case 'adoption':
      return <path className="timeline-glyph adoption" d={`M ${x} ${y - 7} L ${x + 7} ${y} L ${x} ${y + 7} L ${x - 7} ${y} Z`} />;
    case 'failure':
      return <path className="timeline-glyph failure" d={`M ${x - 6} ${y - 6} L ${x + 6} ${y + 6} M ${x + 6} ${y - 6} L ${x - 6} ${y + 6}`} />;
    case 'end':
      return <rect className="timeline-glyph end" x={x - 6} y={y - 6} width={12} height={12} />;
  }
}

const MARKER_LEGEND: ReadonlyArray<[MarkerKind, string]> = [
  ['sign_in', 'sign-in'],
  ['renewal', 'renewal (refresh or silent re-authentication)'],
  ['adoption', 'adoption (a request took tokens another had just renewed)'],
  ['failure', 'failure or refusal'],
  ['end', 'session ended'],
];

/** A small drawing of one legend entry. */
function Swatch({ children }: { children: ReactNode }) {
  return (
    <svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true">
      {children}
    </svg>
  );
}

/**
 * The current session drawn from its audit trail: each access token's life as a bar with
 * its refresh window, the events above, now as a dashed line. The <desc> says the same in
 * words, and the events table on the page lists every event.
 */
export function SessionTimeline({ chart, tokenVersion }: { chart: TimelineChart; tokenVersion: number }) {
  const { plot } = chart;
  const barOffset = (chart.laneHeight - chart.barHeight) / 2;
  return (
    <figure className="timeline" data-testid="timeline" data-token-version={tokenVersion}>
      <svg viewBox={`0 0 ${chart.width} ${chart.height}`} role="img" aria-labelledby="timeline-title" aria-describedby="timeline-desc">
        <title id="timeline-title">Session timeline</title>
        <desc id="timeline-desc">{chart.description}</desc>
        <defs>
          <pattern id="timeline-window-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect className="timeline-window-ground" width="6" height="6" />
            <line className="timeline-window-stripe" x1="1.5" y1="0" x2="1.5" y2="6" />
          </pattern>
        </defs>
        {chart.ticks.map((tick) => (
          <g key={tick.x}>
            <line className="timeline-grid" x1={tick.x} x2={tick.x} y1={plot.top - 4} y2={plot.bottom + 4} />
            <text className="timeline-text" x={tick.x} y={plot.bottom + 18} textAnchor="middle">
              {tick.label}
            </text>
          </g>
        ))}
        <line className="timeline-axis" x1={plot.left} x2={plot.right} y1={plot.bottom + 4} y2={plot.bottom + 4} />
        <text className="timeline-text muted" x={(plot.left + plot.right) / 2} y={chart.height - 4} textAnchor="middle">
          time (UTC)
        </text>
        <text className="timeline-text muted" x={plot.left - 8} y={chart.markerY} textAnchor="end" dominantBaseline="middle">
          events
        </text>
        {chart.lanes.map((lane) => (
          <g key={lane.y} data-testid="timeline-token" data-current={lane.token.current}>
            <text className="timeline-text" x={plot.left - 8} y={lane.y + chart.laneHeight / 2} textAnchor="end" dominantBaseline="middle">
              {lane.label}
            </text>
            <rect className={lane.token.current ? 'timeline-bar current' : 'timeline-bar'} x={lane.x} y={lane.y + barOffset} width={lane.width} height={chart.barHeight}>
              <title>{lane.title}</title>
            </rect>
            <rect className="timeline-window" x={lane.windowX} y={lane.y + barOffset} width={lane.windowWidth} height={chart.barHeight} />
          </g>
        ))}
        {chart.markers.map((marker, index) => (
          <g key={index} data-testid="timeline-event" data-kind={marker.kind}>
            <title>{marker.title}</title>
            <Glyph kind={marker.kind} x={marker.x} y={chart.markerY} />
          </g>
        ))}
        <line className="timeline-now" x1={chart.nowX} x2={chart.nowX} y1={chart.markerY - 10} y2={plot.bottom + 4} />
        <text className="timeline-text" x={chart.nowX} y={chart.markerY - 12} textAnchor="middle">
          now
        </text>
      </svg>
      <figcaption>
        <ul className="timeline-legend">
          {MARKER_LEGEND.map(([kind, text]) => (
            <li key={kind}>
              <Swatch>
                <Glyph kind={kind} x={14} y={8} />
              </Swatch>
              {text}
            </li>
          ))}
          <li>
            <Swatch>
              <rect className="timeline-bar current" x={2} y={2} width={24} height={12} />
            </Swatch>
            current access token
          </li>
          <li>
            <Swatch>
              <rect className="timeline-bar" x={2} y={2} width={24} height={12} />
            </Swatch>
            earlier access token (expiry estimated)
          </li>
          <li>
            <Swatch>
              <rect className="timeline-window" x={2} y={2} width={24} height={12} />
            </Swatch>
            refresh window before expiry
          </li>
          <li>
            <Swatch>
              <line className="timeline-now" x1={14} x2={14} y1={0} y2={16} />
            </Swatch>
            now
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
