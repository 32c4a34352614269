import { listOwnSessions, logServiceFailure, needsStepUp, type OwnSession, requireSession, type SessionData } from '@/lib/auth';
import { SessionsTable } from './sessions-table';
import { StatusNotice } from './status-notice';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The person's sessions, or undefined when the database does not answer: the page says so instead of failing. */
async function sessionsIfAvailable(session: SessionData): Promise<OwnSession[] | undefined> {
  try {
    return await listOwnSessions(session);
  } catch (error) {
    logServiceFailure('listing sessions', error);
    return undefined;
  }
}

const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** The person's live sessions, this one marked; any other can be signed out from here. */
export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession('/sessions');
  const params = await searchParams;
  const sessions = await sessionsIfAvailable(session);

  return (
    <div className="card">
      <h1 id="sessions-heading">Your sessions</h1>
      <StatusNotice status={single(params.status)} count={single(params.count)} />
      {sessions ? (
        <SessionsTable sessions={sessions} stepUp={needsStepUp(session)} />
      ) : (
        <p className="notice error" role="alert" data-testid="sessions-error">
          Your sessions cannot be listed right now: Renewal cannot reach its database. You are still signed in. <a href="/sessions">Try again</a>
        </p>
      )}
    </div>
  );
}
