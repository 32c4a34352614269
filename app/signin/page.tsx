import { reasonText, safeReturnTo } from '@/lib/auth';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SignIn({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const returnTo = safeReturnTo(first(params.returnTo));
  const explanation = reasonText(first(params.reason));
  return (
    <div className="card">
      <h1>Sign in</h1>
      {explanation && (
        <p className="notice" role="status" data-testid="reason">
          {explanation}
        </p>
      )}
      <p>You will be sent to your identity provider, then brought back here.</p>
      <form action="/auth/login" method="get">
        <input type="hidden" name="returnTo" value={returnTo} />
        <button type="submit">Sign in</button>
      </form>
    </div>
  );
}
