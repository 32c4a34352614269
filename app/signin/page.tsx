import { Suspense } from 'react';
import { REASON_TEXT } from '@/lib/auth';
import { SignInForm, SignInFromAddress } from './sign-in-form';

/**
 * The sign-in page. Static, the same HTML for everyone: what depends on the address
 * (`reason`, `returnTo`) is read in the browser, and until then, or without JavaScript,
 * the plain form stands in (Suspense: the prerendered HTML holds it).
 */
export default function SignIn() {
  return (
    <div className="card">
      <h1>Sign in</h1>
      <Suspense fallback={<SignInForm />}>
        <SignInFromAddress reasons={REASON_TEXT} />
      </Suspense>
    </div>
  );
}
