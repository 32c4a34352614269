import { eventLabel, type OwnSession } from '@/lib/auth';
import { utcText } from '@/lib/relative-time';
import { describeUserAgent } from '@/lib/user-agent';
import { endOtherSessionsAction, endSessionAction } from './actions';
import { StepUpHint } from '../step-up-hint';
import { LocalTime } from './local-time';
import styles from './sessions.module.css';

/**
 * The person's live sessions, this device's marked, each other one with its own sign-out.
 * Every cell carries its column's name in `data-label`: on a narrow screen the rows become
 * cards and the names show beside the values.
 */
export function SessionsTable({ sessions, stepUp }: { sessions: readonly OwnSession[]; stepUp: boolean }) {
  const others = sessions.filter((s) => !s.current).length;
  return (
    <div className={styles.sessions}>
      <table data-testid="sessions" className={styles.table} aria-labelledby="sessions-heading">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last active</th>
            <th scope="col">Latest event</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <SessionRow key={s.handle} session={s} />
          ))}
        </tbody>
      </table>
      {others > 0 && (
        <form action={endOtherSessionsAction} className={styles.bulk}>
          <button type="submit" aria-describedby={stepUp ? 'step-up-hint' : undefined}>
            Sign out of all other sessions
          </button>
          {stepUp && <StepUpHint />}
        </form>
      )}
    </div>
  );
}

function SessionRow({ session: s }: { session: OwnSession }) {
  const device = describeUserAgent(s.userAgent);
  return (
    <tr data-current={s.current}>
      <td className={styles.device}>
        {device}
        {s.current && <span className={styles.badge}>This device</span>}
      </td>
      <td data-label="Signed in">
        <LocalTime at={s.createdAt.toISOString()} />
      </td>
      <td data-label="Last active">
        <LocalTime at={s.lastSeenAt.toISOString()} shows="moment-and-age" />
      </td>
      <td data-label="Latest event">
        {s.latestEvent ? (
          <span>
            {eventLabel(s.latestEvent.type)}
            <span className={styles['event-time']}>
              <LocalTime at={s.latestEvent.at.toISOString()} shows="age" />
            </span>
          </span>
        ) : (
          '—'
        )}
      </td>
      <td className={styles.action}>
        {!s.current && (
          <form action={endSessionAction}>
            <input type="hidden" name="session" value={s.handle} />
            <button type="submit" className="secondary" aria-label={`Sign out ${device}, signed in ${utcText(s.createdAt)}`}>
              Sign out
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}
