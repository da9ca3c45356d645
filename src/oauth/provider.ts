/**
 * What Spokes needs to know about a remote system's OAuth 2.0 server: facts,
 * as data, in the connector's manifest (STYLE.md rule 4). The flow itself
 * (authorization code, PKCE, refresh) is code in this folder.
 */

export interface OAuthProvider {
  /** Where the person's browser goes to approve (RFC 6749 §3.1). */
  authorizeUrl: string;
  /** Where codes and refresh tokens are exchanged (RFC 6749 §3.2). */
  tokenUrl: string;
  /** Scopes asked for at every authorization. */
  scopes: readonly string[];
  /** How the scopes are joined in the `scope` parameter (RFC 6749 §3.3: a space; a few providers use a comma). */
  scopeSeparator?: ' ' | ',';
  /** RFC 7636 with S256: the provider accepts `code_challenge` (Salesforce does; HubSpot does not). */
  pkce: boolean;
  /**
   * How the client authenticates at the token endpoint (RFC 6749 §2.3.1): `basic` (HTTP Basic,
   * which every server must support) or `body` (client_id and client_secret as form fields —
   * HubSpot accepts only this).
   */
  clientAuth: 'basic' | 'body';
  /** Extra query parameters of the authorize URL (e.g. `prompt: 'consent'`). */
  authorizeParams?: Readonly<Record<string, string>>;
  /** Refresh this long before the access token expires. Default 5 minutes. */
  refreshAheadSeconds?: number;
  /** Used when the token response has no `expires_in` (RFC 6749 §5.1 makes it optional). Default 1 hour. */
  defaultExpiresInSeconds?: number;
  /**
   * For a token endpoint whose errors are not (only) RFC 6749 §5.2: the body field holding the
   * provider's own error code, and the §5.2 code each of its codes means (HubSpot answers
   * `{"status": "BAD_REFRESH_TOKEN", "message": …}`, reference §1.2). A mapped code wins over `error`.
   */
  errorCodes?: { field: string; messageField: string; map: Readonly<Record<string, string>> };
}

/** The client Spokes is at the provider: its registered id and secret, and the redirect URI it registered. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** What a connection keeps (sealed in its credentials) once authorized. */
export interface OAuthTokenSet {
  accessToken: string;
  /** Absent when the provider issues none (then the connection re-authorizes when the token expires). */
  refreshToken?: string;
  /** ISO time the access token expires; absent when the provider does not say and no default applies. */
  expiresAt?: string;
  /** The scopes granted, when the provider says (RFC 6749 §5.1). */
  scope?: string;
}
