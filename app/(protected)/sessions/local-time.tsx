'use client';

import { useEffect, useState } from 'react';
import { timeAgo, utcText } from '@/lib/relative-time';
import styles from './sessions.module.css';

const IN_READERS_ZONE: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };

/** The year only when it is not this one: the table stays narrow, and an old session still says how old. */
function readersFormat(moment: Date, now: Date): Intl.DateTimeFormat {
  const sameYear = moment.getFullYear() === now.getFullYear();
  return new Intl.DateTimeFormat(undefined, sameYear ? IN_READERS_ZONE : { ...IN_READERS_ZONE, year: 'numeric' });
}

/** How the moment reads: its date and time, that and how long ago beneath, or how long ago alone. */
export type LocalTimeShows = 'moment' | 'moment-and-age' | 'age';

/**
 * A moment in the reader's time zone and language. The server knows neither, so its HTML
 * (and the first render, which must match it) says UTC; the browser rewrites it once
 * mounted, and keeps "… ago" current while the page stays open.
 */
export function LocalTime({ at, shows = 'moment' }: { at: string; shows?: LocalTimeShows }) {
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => {
    const tick = () => setNow(new Date());
    tick();
    const timer = setInterval(tick, 30_000);
    return () => clearInterval(timer);
  }, []);

  const moment = new Date(at);
  if (now === null) return <time dateTime={at}>{utcText(moment)}</time>;
  const local = readersFormat(moment, now).format(moment);
  if (shows === 'age') {
    return (
      <time dateTime={at} title={local}>
        {timeAgo(moment, now)}
      </time>
    );
  }
  return (
    <span>
      <time dateTime={at}>{local}</time>
      {shows === 'moment-and-age' && <span className={styles.age}>{timeAgo(moment, now)}</span>}
    </span>
  );
}
