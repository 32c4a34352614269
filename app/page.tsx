import Link from 'next/link';

export default function Home() {
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
