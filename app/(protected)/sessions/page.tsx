import { listOwnSessions, logServiceFailure, type OwnSession, requireSession, type SessionData } from '@/lib/auth';
import { describeUserAgent } from '@/lib/user-agent';
import { endOtherSessionsAction, endSessionAction } from './actions';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const STATUS_TEXT: Record<string, (count: string) => string> = {
  ended: () => 'That session is signed out. The device it was on is sent to sign in at its next request.',
  ended_others: (count) => `${count === '1' ? 'One other session was' : `${count} other sessions were`} signed out.`,
  not_found: () => 'That session had already ended.',
  unavailable: () => 'Your session needs renewing but the identity provider cannot be reached. Nothing was changed; try again in a moment.',
  service_unavailable: () => 'Signing out did not complete: Renewal cannot reach its database right now. Try again in a moment; you are still signed in.',
};

function when(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** The person's sessions, or undefined when the database does not answer: the page says so instead of failing. */
async function sessionsIfAvailable(session: SessionData): Promise<OwnSession[] | undefined> {
  try {
    return await listOwnSessions(session);
  } catch (error) {
    logServiceFailure('listing sessions', error);
    return undefined;
  }
}

/** The person's live sessions, this one marked; any other can be signed out from here. */
export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession('/sessions');
  const params = await searchParams;
  const sessions = await sessionsIfAvailable(session);
  const status = typeof params.status === 'string' ? STATUS_TEXT[params.status]?.(String(params.count ?? '0')) : undefined;

  return (
    <div className="card">
      <h1>Your sessions</h1>
      {status && (
        <p className="notice" role="status" data-testid="sessions-status">
          {status}
        </p>
      )}
      {sessions ? (
        <SessionsTable sessions={sessions} />
      ) : (
        <p className="notice" role="alert" data-testid="sessions-error">
          Your sessions cannot be listed right now: Renewal cannot reach its database. You are still signed in. <a href="/sessions">Try again</a>
        </p>
      )}
    </div>
  );
}

function SessionsTable({ sessions }: { sessions: readonly OwnSession[] }) {
  const others = sessions.filter((s) => !s.current).length;
  return (
    <>
      <table data-testid="sessions">
        <thead>
          <tr>
            <th>Browser</th>
            <th>Signed in</th>
            <th>Last active</th>
            <th>
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.handle} data-current={s.current}>
              <td>
                {describeUserAgent(s.userAgent)}
                {s.current && <strong> (this session)</strong>}
              </td>
              <td>{when(s.createdAt)}</td>
              <td>{when(s.lastSeenAt)}</td>
              <td>
                {!s.current && (
                  <form action={endSessionAction}>
                    <input type="hidden" name="session" value={s.handle} />
                    <button type="submit" className="secondary" aria-label={`Sign out ${describeUserAgent(s.userAgent)} signed in ${when(s.createdAt)}`}>
                      Sign out
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {others > 0 && (
        <form action={endOtherSessionsAction}>
          <button type="submit">Sign out of all other sessions</button>
        </form>
      )}
    </>
  );
}
