import { confirmsSignOut } from '@/lib/auth';
import Home from '../page';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * Where the IdP returns a person after sign-out (`post_logout_redirect_uri` is `/`):
 * next.config.mjs sends `/?state=…` here, so the home page itself stays static. Rendered
 * per request, because it compares the returned `state` with this browser's sign-out
 * cookie: it says "signed out" only when they match, otherwise it is the home page. The
 * check is on the server, so a link cannot forge it and it works without JavaScript.
 */
export default async function SignOutReturn({ searchParams }: { searchParams: SearchParams }) {
  const { state } = await searchParams;
  return (await confirmsSignOut(typeof state === 'string' ? state : undefined)) ? <SignedOut /> : <Home />;
}

function SignedOut() {
  return (
    <div className="card" data-testid="signed-out">
      <h1>You are signed out</h1>
      <p role="status">
        Your Renewal session has ended: this browser no longer holds it, and your identity provider was asked to end
        its sign-in too.
      </p>
      <p>
        {/* A plain link: prefetching it would start a sign-in nobody asked for. */}
        <a className="button" href="/auth/login?returnTo=%2Fdashboard">
          Sign in again
        </a>
      </p>
    </div>
  );
}
