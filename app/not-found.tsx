import Link from 'next/link';

/** Every unknown URL, signed in or not: the proxy only guards the app's own pages, so a typo is a 404, not a sign-in. */
export default function NotFound() {
  return (
    <div className="card" data-testid="not-found">
      <h1>Page not found</h1>
      <p>There is no page at this address. It may have moved, or the link may have a typo.</p>
      <p>
        <Link className="button" href="/">
          Go to the home page
        </Link>
      </p>
    </div>
  );
}
