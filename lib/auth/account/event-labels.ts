import type { AuditType } from '../registry/registry';

/**
 * What each audit event means, in the words of the person whose session it is. A
 * `Record` over `AuditType`, so a new event type does not compile until it has a label.
 */
const EVENT_LABELS: Readonly<Record<AuditType, string>> = {
  sign_in: 'Signed in',
  refresh: 'Renewed',
  refresh_failed: 'Renewal refused by the identity provider',
  refresh_unavailable: 'Renewal postponed: identity provider unreachable',
  refresh_lost: 'Renewal interrupted; signs in again silently',
  reauthenticated: 'Renewed by signing in again silently',
  adopted: 'Renewed (by a parallel request)',
  rejected: 'Request refused',
  refused: 'Outdated copy of the session refused',
  sign_out: 'Signed out',
  replaced: 'Replaced by a new sign-in in the same browser',
  idp_logout: 'Signed out at the identity provider',
  ended_elsewhere: 'Signed out from another session',
  profile_updated: 'Name or email updated from the identity provider',
  stepped_up: 'Confirmed who you are for a sensitive action',
};

/**
 * The label of an audit event's `type` as it is stored. A type this version does not
 * know (a row written by a newer one) reads as its own words rather than as nothing.
 *
 * @example
 * eventLabel('sign_in') // 'Signed in'
 */
export function eventLabel(type: string): string {
  if (Object.hasOwn(EVENT_LABELS, type)) return EVENT_LABELS[type as AuditType];
  const words = type.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
