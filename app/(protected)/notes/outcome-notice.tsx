import type { Outcome } from './outcomes';

/**
 * Where an outcome is announced. Both live regions stay on the page, empty or not: screen
 * readers announce what appears in a region they already know, and may miss a region that
 * arrives with its text. Successes and notes go in the status region, failures in the alert.
 */
export function OutcomeNotice({ outcome, testId }: { outcome: Outcome | undefined; testId: string }) {
  const failed = outcome?.tone === 'error';
  return (
    <>
      <div role="status">
        {outcome && !failed && (
          <p className={`notice ${outcome.tone}`} data-testid={testId}>
            {outcome.text}
          </p>
        )}
      </div>
      <div role="alert">
        {outcome && failed && (
          <p className="notice error" data-testid={testId}>
            {outcome.text}
          </p>
        )}
      </div>
    </>
  );
}
