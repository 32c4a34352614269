import { NextResponse } from 'next/server';
import { countUnavailable, type UnavailableCause } from '../../telemetry/metrics';

/**
 * Plain HTML pages for answers that route handlers and the proxy give outside React: what
 * happened, what to do, and a link to do it. Nothing in them comes from the request
 * unescaped.
 */
export interface Notice {
  readonly title: string;
  readonly message: string;
  readonly href: string;
  readonly action: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function noticePage({ title, message, href, action }: Notice): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} — Renewal</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5}a{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;background:#2d5b3f;color:#fff;border-radius:6px;text-decoration:none}</style>
</head><body><h1>${escape(title)}</h1>
<p>${escape(message)}</p>
<a href="${escape(href)}">${escape(action)}</a></body></html>`;
}

const UNAVAILABLE = {
  idp: 'Your session needs renewing, but the identity provider cannot be reached right now.',
  service: 'Renewal cannot check your session right now (its database did not answer).',
} as const;

/** The 503 page shown when a session cannot be judged or renewed right now. The session is kept. */
export function unavailablePage(path: string, cause: keyof typeof UNAVAILABLE): string {
  return noticePage({
    title: 'Try again in a moment',
    message: `${UNAVAILABLE[cause]} You are still signed in: nothing was lost.`,
    href: path,
    action: 'Try again',
  });
}

/**
 * A 503 "try again" answer with `page`, counted by cause (renewal.unavailable.responses):
 * `idp` when the IdP could not renew, `service` when our own database did not answer.
 */
export function unavailableResponse(page: string, cause: UnavailableCause, headers: Record<string, string> = {}): NextResponse {
  countUnavailable(cause);
  return new NextResponse(page, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '5', ...headers } });
}
