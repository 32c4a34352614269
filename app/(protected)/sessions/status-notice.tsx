import { stepUpNotice } from '@/lib/auth';

/** What a sign-out from this page came to, as the action's redirect names it in `?status=`. */
interface Status {
  /** `error` is announced at once (role=alert); the others wait their turn (role=status). */
  readonly tone: 'success' | 'info' | 'error';
  readonly text: string;
}

function statusOf(status: string, count: string): Status | undefined {
  switch (status) {
    case 'ended':
      return { tone: 'success', text: 'That session is signed out. The device it was on is sent to sign in at its next request.' };
    case 'ended_others':
      if (count === '0') return { tone: 'info', text: 'There were no other sessions to sign out.' };
      return { tone: 'success', text: `${count === '1' ? 'One other session was' : `${count} other sessions were`} signed out.` };
    case 'not_found':
      return { tone: 'info', text: 'That session had already ended.' };
    case 'unavailable':
      return { tone: 'error', text: 'Your session needs renewing but the identity provider cannot be reached. Nothing was changed; try again in a moment.' };
    case 'service_unavailable':
      return { tone: 'error', text: 'Signing out did not complete: Renewal cannot reach its database right now. Try again in a moment; you are still signed in.' };
    default:
      return stepUpNotice(status);
  }
}

/** The notice for `?status=…&count=…`, or nothing for a status this page never sets. */
export function StatusNotice({ status, count }: { status: string | undefined; count: string | undefined }) {
  const shown = status === undefined ? undefined : statusOf(status, count ?? '0');
  if (!shown) return null;
  return (
    <p className={`notice ${shown.tone}`} role={shown.tone === 'error' ? 'alert' : 'status'} data-testid="sessions-status">
      {shown.text}
    </p>
  );
}
