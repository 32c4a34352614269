import Link from 'next/link';
import { confirmsSignOut } from '@/lib/auth';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * The home page, and where the IdP returns a person after sign-out
 * (`post_logout_redirect_uri` is `/`): it says "signed out" only when the returned
 * `state` is the one this browser's sign-out sent; otherwise it is the ordinary home page.
 */
export default async function Home({ searchParams }: { searchParams: SearchParams }) {
  const { state } = await searchParams;
  if (await confirmsSignOut(typeof state === 'string' ? state : undefined)) return <SignedOut />;
  return (
    <div className="card">
      <h1>Renewal</h1>
      <p>
        Sign in once with your identity provider and stay signed in: your session renews itself in the
        background, even with many tabs open.
      </p>
      <p>
        <Link className="button" href="/dashboard">
          Go to your dashboard
        </Link>
      </p>
    </div>
  );
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
