import Link from 'next/link';
import { confirmsSignOut, logServiceFailure, signedInPerson, type SignedInPerson } from '@/lib/auth';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * The home page, and where the IdP returns a person after sign-out
 * (`post_logout_redirect_uri` is `/`): it says "signed out" only when the returned
 * `state` is the one this browser's sign-out sent; otherwise it says what Renewal is and
 * what to try, with one button that goes where the person can go next.
 */
export default async function Home({ searchParams }: { searchParams: SearchParams }) {
  const { state } = await searchParams;
  if (await confirmsSignOut(typeof state === 'string' ? state : undefined)) return <SignedOut />;
  const person = await personIfKnown();
  return (
    <>
      <div className="card">
        <h1>Renewal</h1>
        <p>
          Sign in once with your identity provider (OpenID Connect) and stay signed in. Your access token is short-lived; Renewal renews it in the
          background, before it runs out, with exactly one refresh even when many tabs or servers ask at once. Nobody is signed out by mistake, and a
          session ended anywhere ends everywhere.
        </p>
        <p>
          {person ? (
            <Link className="button" href="/dashboard">
              Go to your dashboard
            </Link>
          ) : (
            // A plain link: prefetching it would start a sign-in nobody asked for.
            <a className="button" href="/auth/login?returnTo=%2Fdashboard">
              Sign in
            </a>
          )}
        </p>
      </div>
      <section className="card" aria-labelledby="try-heading">
        <h2 id="try-heading">Things to try</h2>
        <ul>
          <li>
            <strong>Sign in.</strong> With <code>npm run dev</code>, the dev identity provider has two demo accounts: <code>alice</code> and{' '}
            <code>bob</code>, both with the password <code>password</code>.
          </li>
          <li>
            <strong>Watch the token renew.</strong> The dashboard counts down to your access token&apos;s expiry and draws its renewals on a timeline.
          </li>
          <li>
            <strong>Use the token.</strong> The notes page calls a separate API with it, from the server and from the browser.
          </li>
          <li>
            <strong>Sign in from two browsers.</strong> The sessions page lists both; sign one out from the other and watch it land on the sign-in page.
          </li>
        </ul>
      </section>
      <section className="card" aria-labelledby="docs-heading">
        <h2 id="docs-heading">Read more</h2>
        <p>
          The repository&apos;s <code>README.md</code> starts here; <code>docs/ARCHITECTURE.md</code> explains how a request is checked and renewed,{' '}
          <code>docs/CONFIGURATION.md</code> how to connect a real identity provider (Keycloak, Auth0, Entra ID, Okta, Google), and{' '}
          <code>docs/RELIABILITY.md</code> what is promised under failure and how it is tested.
        </p>
      </section>
    </>
  );
}

/** Who is signed in, or nobody when the registry cannot say: the button then offers sign-in, which works either way. */
async function personIfKnown(): Promise<SignedInPerson | undefined> {
  try {
    return await signedInPerson();
  } catch (error) {
    logServiceFailure('checking who is signed in for the home page', error);
    return undefined;
  }
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
