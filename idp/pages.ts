import { type DemoAccount, DEMO_OTP } from './accounts.js';

/** HTML of the dev IdP's own pages. Every value put into HTML goes through `escape`. */
export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The empty icon keeps browsers from asking for /favicon.ico, which the IdP does not
// serve: every page would log a 404 in the console.
function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;background:#f4f1ea;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;padding:2rem 2.5rem;border-radius:10px;box-shadow:0 2px 10px #0002;width:20rem}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;background:#2d5b3f;color:#fff;border:0;border-radius:5px;cursor:pointer}
button.secondary{margin-top:.6rem;background:#fff;color:#2d5b3f;border:1px solid #2d5b3f}
.error{color:#a11;background:#fdecec;padding:.5rem;border-radius:5px}
.notice{color:#1d4d2f;background:#e6f4ea;padding:.5rem;border-radius:5px}
fieldset{border:1px solid #ccc;border-radius:5px;margin:1rem 0;padding:.2rem 1rem 1rem}
small{color:#666}
</style></head><body><main>${body}</main></body></html>`;
}

/** The login form; `askOtp` when the client asked for acr `mfa`. */
export function loginPage(uid: string, clientName: string, options: { readonly askOtp?: boolean; readonly error?: string } = {}): string {
  const { askOtp = false, error } = options;
  return layout(
    'Sign in — Renewal dev IdP',
    `<h1>Renewal dev IdP</h1>
<p>Sign in to continue to <strong>${escape(clientName)}</strong>.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
${askOtp ? '<label for="otp">One-time code</label><input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>\n' : ''}<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/cancel"><button type="submit" class="secondary">Cancel</button></form>
<p><small>Demo accounts: alice / password, bob / password.${askOtp ? ` One-time code: ${DEMO_OTP}.` : ''}</small></p>`,
  );
}

/**
 * The dev page where a person changes their name and email at the IdP, as they would in
 * a real IdP's account settings; the app learns of it from its next ID token.
 */
export function profilePage(accounts: readonly DemoAccount[], updated?: string): string {
  const forms = accounts.map((account) => {
    const id = escape(account.id);
    return `<form method="post" action="/profile"><fieldset><legend>${id}</legend>
<input type="hidden" name="account" value="${id}">
<label for="name-${id}">Name</label><input id="name-${id}" name="name" value="${escape(account.name)}" required maxlength="100">
<label for="email-${id}">Email</label><input id="email-${id}" name="email" type="email" value="${escape(account.email)}" required maxlength="200">
<button type="submit">Save ${id}</button>
</fieldset></form>`;
  });
  return layout(
    'Profiles — Renewal dev IdP',
    `<h1>Profiles</h1>
${updated ? `<p class="notice" role="status">Updated. The app shows it after its next renewal.</p>` : ''}
${forms.join('\n')}`,
  );
}

/** A profile change that was refused, and why. */
export function profileErrorPage(message: string): string {
  return layout(
    'Profiles — Renewal dev IdP',
    `<h1>Profiles</h1><p class="error" role="alert">${escape(message)}</p><p><a href="/profile">Back to the profiles</a></p>`,
  );
}

/**
 * RP-initiated logout confirmation. The dev IdP confirms by itself (the person already
 * chose "Sign out" in the app); a real IdP may ask.
 */
export function logoutPage(form: string): string {
  return layout(
    'Signing out — Renewal dev IdP',
    `<h1>Signing out…</h1>${form}
<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript>
<script>document.getElementById('op.logoutForm').submit()</script>`,
  );
}

export function errorPage(message: string): string {
  return layout('Error — Renewal dev IdP', `<h1>Something went wrong</h1><p class="error">${escape(message)}</p>`);
}
