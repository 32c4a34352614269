import { listOwnSessions, requireSession } from '@/lib/auth';
import { describeUserAgent } from '@/lib/user-agent';
import { endOtherSessionsAction, endSessionAction } from './actions';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const STATUS_TEXT: Record<string, (count: string) => string> = {
  ended: () => 'That session is signed out. The device it was on is sent to sign in at its next request.',
  ended_others: (count) => `${count === '1' ? 'One other session was' : `${count} other sessions were`} signed out.`,
  not_found: () => 'That session had already ended.',
  unavailable: () => 'Your session needs renewing but the identity provider cannot be reached. Nothing was changed; try again in a moment.',
};

function when(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** The person's live sessions, this one marked; any other can be signed out from here. */
export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession('/sessions');
  const params = await searchParams;
  const sessions = await listOwnSessions(session);
  const status = typeof params.status === 'string' ? STATUS_TEXT[params.status]?.(String(params.count ?? '0')) : undefined;
  const others = sessions.filter((s) => !s.current).length;

  return (
    <div className="card">
      <h1>Your sessions</h1>
      {status && (
        <p className="notice" role="status" data-testid="sessions-status">
          {status}
        </p>
      )}
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
    </div>
  );
}
