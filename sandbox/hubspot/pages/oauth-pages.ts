/**
 * HubSpot's install screens (reference §1.1): the account chooser, the consent page
 * ("Connect app" / "Cancel") and the "Couldn't complete the connection" error page.
 */
import { html, page, type SafeHtml } from './layout.ts';

export interface AuthorizeFields {
  client_id: string;
  redirect_uri: string;
  scope: string;
  optional_scope?: string;
  state?: string;
}

export interface AccountChoice {
  portalId: number;
  name: string;
  kind: 'STANDARD' | 'DEVELOPER_TEST' | 'APP_DEVELOPER';
}

export interface SignedIn {
  email: string;
  name: string;
}

function hiddenFields(fields: AuthorizeFields): SafeHtml {
  return html`${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}`;
}

const BADGES: Record<AccountChoice['kind'], SafeHtml> = {
  STANDARD: html`<span class="badge">Standard account</span>`,
  DEVELOPER_TEST: html`<span class="badge test">Developer test account</span>`,
  APP_DEVELOPER: html`<span class="badge dev">App developer account</span>`,
};

export function accountChooserPage(appName: string, fields: AuthorizeFields, accounts: AccountChoice[], user: SignedIn, returnTo: string): string {
  const body = html`<section class="card narrow" data-testid="account-chooser">
  <h1>Choose an account</h1>
  <p class="muted">Select the HubSpot account you want to connect to <strong>${appName}</strong>.</p>
  <form method="post" action="/oauth/authorize/account">
    ${hiddenFields(fields)}
    <ul class="accounts">
      ${accounts.map(
        (a) => html`<li><button type="submit" name="portal_id" value="${a.portalId}" data-portal-id="${a.portalId}" data-account-type="${a.kind}">
        <span><strong>${a.name}</strong><br><span class="muted small">Hub ID ${a.portalId}</span></span>${BADGES[a.kind]}
      </button></li>`,
      )}
    </ul>
  </form>
</section>`;
  return page({ title: 'Choose an account', body, signedInAs: user, returnTo });
}

export function consentPage(appName: string, fields: AuthorizeFields, account: AccountChoice, scopes: string[], user: SignedIn, returnTo: string): string {
  const body = html`<section class="card narrow" data-testid="consent">
  <h1>Connect ${appName} to your HubSpot account</h1>
  <p>Account: <strong>${account.name}</strong> <span class="muted">(Hub ID ${account.portalId})</span></p>
  <div class="warning">You're connecting an app that hasn't been reviewed by HubSpot. Only connect apps you trust.</div>
  <h2>${appName} will be able to:</h2>
  <ul class="scopes">${scopes.map((s) => html`<li><code>${s}</code></li>`)}</ul>
  <form method="post" action="/oauth/authorize/decision">
    ${hiddenFields(fields)}
    <input type="hidden" name="portal_id" value="${account.portalId}">
    <div class="actions">
      <button class="btn secondary" type="submit" name="decision" value="deny">Cancel</button>
      <button class="btn" type="submit" name="decision" value="approve">Connect app</button>
    </div>
  </form>
</section>`;
  return page({ title: `Connect ${appName}`, body, signedInAs: user, returnTo });
}

export function authorizeErrorPage(title: string, message: string, user?: SignedIn): string {
  const body = html`<section class="card narrow error" data-testid="authorize-error">
  <h1>${title}</h1>
  <p data-testid="error-message">${message}</p>
  <p class="muted small">Close this window and try again, or contact the developer of the app.</p>
</section>`;
  return page({ title, body, signedInAs: user });
}

export function loginPage(
  users: Array<{ userId: number; email: string; name: string; portals: string[] }>,
  current: number | undefined,
  returnTo: string,
): string {
  const body = html`<section class="card narrow" data-testid="login">
  <h1>Sign in to the sandbox</h1>
  <p class="muted">Pick the HubSpot user the sandbox should treat you as. Owners in each portal are these users.</p>
  <form method="post" action="/login">
    <input type="hidden" name="returnTo" value="${returnTo}">
    <ul class="accounts">
      ${users.map(
        (u) => html`<li><button type="submit" name="userId" value="${u.userId}" data-user-id="${u.userId}">
        <span><strong>${u.name}</strong> ${u.userId === current ? html`<span class="badge">current</span>` : ''}<br><span class="muted small">${u.email} · ${u.portals.join(', ')}</span></span>
      </button></li>`,
      )}
    </ul>
  </form>
</section>`;
  return page({ title: 'Sign in', body });
}
