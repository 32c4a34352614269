import type { ReactNode } from 'react';
import type { LegendKey, MarkerKind, TimelineChart } from '@/lib/auth';
import { NowLine } from './now-line';
import styles from './session-timeline.module.css';

const GLYPH_CLASS: Readonly<Record<MarkerKind, string>> = {
  sign_in: `${styles.glyph} ${styles.signIn}`,
  renewal: `${styles.glyph}`,
  adoption: `${styles.glyph} ${styles.adoption}`,
  failure: `${styles.glyph} ${styles.failure}`,
  end: `${styles.glyph} ${styles.end}`,
};

/** An event's shape on the chart and in its legend: shape as well as colour tells them apart. */
function Glyph({ kind, x, y }: { kind: MarkerKind; x: number; y: number }) {
  const className = GLYPH_CLASS[kind];
  switch (kind) {
    case 'sign_in':
      return <path className={className} d={`M ${x} ${y - 7} L ${x + 7} ${y + 6} L ${x - 7} ${y + 6} Z`} />;
    case 'renewal':
      return <circle className={className} cx={x} cy={y} r={6} />;
    case 'adoption':
      return <path className={className} d={`M ${x} ${y - 7} L ${x + 7} ${y} L ${x} ${y + 7} L ${x - 7} ${y} Z`} />;
    case 'failure':
      return <path className={className} d={`M ${x - 6} ${y - 6} L ${x + 6} ${y + 6} M ${x + 6} ${y - 6} L ${x - 6} ${y + 6}`} />;
    case 'end':
      return <rect className={className} x={x - 6} y={y - 6} width={12} height={12} />;
  }
}

/** A small drawing of one legend entry, the same shape as on the chart. */
function Swatch({ entry }: { entry: LegendKey }) {
  let drawing: ReactNode;
  switch (entry) {
    case 'current_token':
      drawing = <rect className={styles.currentBar} x={2} y={2} width={24} height={12} />;
      break;
    case 'earlier_token':
      drawing = <rect className={styles.bar} x={2} y={2} width={24} height={12} />;
      break;
    case 'renewal_window':
      drawing = <rect className={styles.window} x={2} y={2} width={24} height={12} />;
      break;
    case 'now':
      drawing = <line className={styles.now} x1={14} x2={14} y1={0} y2={16} />;
      break;
    default:
      drawing = <Glyph kind={entry} x={14} y={8} />;
  }
  return (
    <svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true">
      {drawing}
    </svg>
  );
}

/**
 * The current session drawn from its audit trail: each access token's life as a bar with
 * its renewal window, the events above, now as a dashed line that moves. The <desc> says
 * the same in words, and the events table on the page lists every event.
 */
export function SessionTimeline({ chart, tokenVersion }: { chart: TimelineChart; tokenVersion: number }) {
  const { plot } = chart;
  const barOffset = (chart.laneHeight - chart.barHeight) / 2;
  const text = styles.text;
  return (
    <figure className={styles.figure} data-testid="timeline" data-token-version={tokenVersion}>
      {/* Focusable so that a keyboard can scroll it where the screen is narrower than the chart. */}
      <div className={styles.scroller} tabIndex={0} role="group" aria-label="Session timeline chart">
        <svg className={styles.chart} viewBox={`0 0 ${chart.width} ${chart.height}`} role="img" aria-labelledby="timeline-title" aria-describedby="timeline-desc">
          <title id="timeline-title">Session timeline</title>
          <desc id="timeline-desc">{chart.description}</desc>
          <defs>
            <pattern id="timeline-window-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect className={styles.windowGround} width="6" height="6" />
              <line className={styles.windowStripe} x1="1.5" y1="0" x2="1.5" y2="6" />
            </pattern>
          </defs>
          {chart.ticks.map((tick) => (
            <g key={tick.x}>
              <line className={styles.grid} x1={tick.x} x2={tick.x} y1={plot.top - 4} y2={plot.bottom + 4} />
              <text className={text} x={tick.x} y={plot.bottom + 20} textAnchor="middle">
                {tick.label}
              </text>
            </g>
          ))}
          <line className={styles.axis} x1={plot.left} x2={plot.right} y1={plot.bottom + 4} y2={plot.bottom + 4} />
          <text className={`${text} ${styles.muted}`} x={(plot.left + plot.right) / 2} y={chart.height - 4} textAnchor="middle">
            time (UTC)
          </text>
          <text className={`${text} ${styles.muted}`} x={plot.left - 8} y={chart.markerY} textAnchor="end" dominantBaseline="middle">
            events
          </text>
          {chart.lanes.map((lane) => (
            <g key={lane.y} data-testid="timeline-token" data-current={lane.token.current}>
              <text className={lane.token.current ? `${text} ${styles.laneLabel}` : text} x={plot.left - 8} y={lane.y + chart.laneHeight / 2} textAnchor="end" dominantBaseline="middle">
                {lane.label}
              </text>
              <rect className={lane.token.current ? styles.currentBar : styles.bar} x={lane.x} y={lane.y + barOffset} width={lane.width} height={chart.barHeight}>
                <title>{lane.title}</title>
              </rect>
              {lane.windowWidth > 0 && <rect data-testid="timeline-window" className={styles.window} x={lane.windowX} y={lane.y + barOffset} width={lane.windowWidth} height={chart.barHeight} />}
            </g>
          ))}
          {chart.markers.map((marker, index) => (
            <g key={index} data-testid="timeline-event" data-kind={marker.kind}>
              <title>{marker.title}</title>
              <Glyph kind={marker.kind} x={marker.x} y={chart.markerY} />
            </g>
          ))}
          <NowLine scale={chart.scale} renderedAt={chart.now} top={chart.markerY - 10} bottom={plot.bottom + 4} />
        </svg>
      </div>
      <figcaption className={styles.caption}>
        <p>
          Each bar is one access token&apos;s life, from when it was issued until it expires, labelled with its generation (the &ldquo;Token generation&rdquo; above). Renewal renews a
          token within the hatched window at the end of its bar. The marks above the bars are the session&apos;s events; the dashed line is now.
        </p>
        <p className={styles.scrollHint} data-testid="timeline-scroll-hint">
          The chart is wider than this screen: scroll it sideways to see the rest.
        </p>
        <ul className={styles.legend} aria-label="Legend">
          {chart.legend.map((entry) => (
            <li key={entry.key} data-testid="timeline-legend-entry" data-key={entry.key}>
              <Swatch entry={entry.key} />
              {entry.text}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
