'use client';

import { type TimeScale, xAt } from '@/lib/time-scale';
import { useNowSeconds } from './clock';
import styles from './session-timeline.module.css';

/**
 * The timeline's "now": a dashed line that moves with the countdown's clock. The server
 * draws it where now was at rendering; the browser moves it along the chart's scale. At a
 * renewal the page is drawn anew, and the line follows the new chart's scale.
 */
export function NowLine({ scale, renderedAt, top, bottom }: { scale: TimeScale; renderedAt: number; top: number; bottom: number }) {
  const x = xAt(scale, useNowSeconds() ?? renderedAt);
  return (
    <g data-testid="timeline-now">
      <line className={styles.now} x1={x} x2={x} y1={top} y2={bottom} />
      <text className={styles.text} x={x} y={top - 2} textAnchor="middle">
        now
      </text>
    </g>
  );
}
