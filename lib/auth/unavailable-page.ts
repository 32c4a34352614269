/** The 503 page shown when the IdP cannot renew an expired session. The session is kept. */
export function unavailablePage(path: string): string {
  const href = path.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Try again in a moment — Renewal</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5}a{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;background:#2d5b3f;color:#fff;border-radius:6px;text-decoration:none}</style>
</head><body><h1>Try again in a moment</h1>
<p>Your session needs renewing, but the identity provider cannot be reached right now.
You are still signed in: nothing was lost.</p>
<a href="${href}">Try again</a></body></html>`;
}
