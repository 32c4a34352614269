import { reasonText, safeReturnTo } from '@/lib/auth';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Reasons that report nothing wrong: shown as information, not as a warning. */
const NEUTRAL_REASONS = new Set(['signin', 'signed_out']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SignIn({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const returnTo = safeReturnTo(first(params.returnTo));
  const reason = first(params.reason);
  const explanation = reasonText(reason);
  return (
    <div className="card">
      <h1>Sign in</h1>
      {explanation && (
        <p className={NEUTRAL_REASONS.has(reason ?? '') ? 'notice info' : 'notice'} role="status" data-testid="reason">
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
