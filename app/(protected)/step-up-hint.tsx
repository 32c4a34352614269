/**
 * Said next to a sensitive action when the person's sign-in is older than STEP_UP_MAX_AGE:
 * the click goes by the identity provider before it is done. Referenced by the button's
 * aria-describedby, so a screen reader says it with the button.
 */
export function StepUpHint() {
  return (
    <p className="muted" id="step-up-hint" data-testid="step-up-hint">
      To protect your account, you will confirm who you are at your identity provider first; then this is done and you come back here.
    </p>
  );
}
