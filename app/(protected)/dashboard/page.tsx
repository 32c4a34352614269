import { eventLabel, recentEvents, requireSession, sessionTimeline } from '@/lib/auth';
import styles from './page.module.css';
import { SessionTimeline } from './session-timeline';
import { TokenCountdown } from './token-countdown';

function time(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export default async function Dashboard() {
  const session = await requireSession('/dashboard');
  // The events are a view of the audit trail: a database hiccup hides them, not the page.
  const events = await recentEvents(session.sid).catch((error: unknown) => {
    console.error('renewal: recent events could not be read:', error instanceof Error ? error.message : error);
    return undefined;
  });
  const { tokens } = session;

  return (
    <>
      <div className="card">
        <h1>
          Welcome, <span data-testid="user-name">{session.name ?? session.sub}</span>
        </h1>
        <dl className={styles.details}>
          <dt>Email</dt>
          <dd>{session.email ?? '—'}</dd>
          <dt>Subject</dt>
          <dd>{session.sub}</dd>
          <dt>Access token expires</dt>
          <dd data-testid="expires-at" data-epoch={tokens.expiresAt}>
            {time(tokens.expiresAt)}
          </dd>
          <dt>Token generation</dt>
          <dd data-testid="token-version">{session.tokenVersion}</dd>
        </dl>
        <TokenCountdown expiresAt={tokens.expiresAt} issuedAt={tokens.issuedAt} />
      </div>
      <div className="card">
        <h2>This session over time</h2>
        <SessionTimeline chart={sessionTimeline(session, events ?? [])} tokenVersion={session.tokenVersion} />
      </div>
      <div className="card">
        <h2 id="events-heading">Recent session events</h2>
        {events ? (
          <table data-testid="events" aria-labelledby="events-heading">
            <thead>
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td>{time(Math.floor(event.at.getTime() / 1000))}</td>
                  <td data-type={event.type}>{eventLabel(event.type)}</td>
                  <td>{event.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="notice" role="status">
            The session's events cannot be read right now. Reload in a moment.
          </p>
        )}
      </div>
    </>
  );
}
