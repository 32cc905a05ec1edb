const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for safe use in HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 .5rem}p.note{color:#505a6b;font-size:.85rem;margin:0 0 1.25rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}
input{box-sizing:border-box;width:100%;padding:.55rem;border:1px solid #8a93a3;border-radius:4px;font:inherit}
button{margin-top:1.4rem;width:100%;padding:.65rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}`;

/** Wraps a body fragment in a minimal standalone HTML document. */
export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Local Cognito stand-in</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`;
}

/** Input for {@link renderSignInPage}. */
export interface SignInPageInput {
  action: string;
  hidden: Record<string, string>;
  username?: string;
  error?: string;
}

/** Renders the accessible sign-in form with the OAuth parameters carried in hidden fields. */
export function renderSignInPage({
  action,
  hidden,
  username = '',
  error,
}: SignInPageInput): string {
  const fields = Object.entries(hidden)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('\n');
  const described = error ? ' aria-describedby="signin-error" aria-invalid="true"' : '';
  return renderPage(
    'Sign in',
    `<h1>Sign in</h1>
<p class="note">Local development identity provider standing in for Amazon Cognito.</p>
${error ? `<p class="error" id="signin-error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
${fields}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username)}"${described}${username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

/**
 * Renders an error page that explains the problem without redirecting anywhere; `hint` says how
 * to fix it and `back` links to where the user came from.
 */
export function renderErrorPage(
  title: string,
  message: string,
  { hint, back }: { hint?: string; back?: string } = {},
): string {
  const hintHtml = hint ? `\n<p>${escapeHtml(hint)}</p>` : '';
  const backHtml = back ? `\n<p><a href="${escapeHtml(back)}">Back to the app</a></p>` : '';
  return renderPage(
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>${hintHtml}${backHtml}`,
  );
}
