import { HomeAction } from './home-action';

/**
 * The home page: what Renewal is and what to try, with one button that goes where the
 * person can go next. Static, the same HTML for everyone (it reads neither the session
 * nor the address): the button is an island. Sign-out returns to `/?state=…`, which
 * next.config.mjs sends to app/sign-out-return, rendered per request.
 */
export default function Home() {
  return (
    <>
      <div className="card">
        <h1>Renewal</h1>
        <p>
          Sign in once with your identity provider (OpenID Connect) and stay signed in. Your access token is short-lived; Renewal renews it in the
          background, before it runs out, with exactly one refresh even when many tabs or servers ask at once. Nobody is signed out by mistake, and a
          session ended anywhere ends everywhere.
        </p>
        <HomeAction />
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
