/**
 * Credentials for an Iceberg REST catalog: a bearer token as given, or OAuth2 client
 * credentials exchanged at the catalog's `/v1/oauth/tokens` (the Iceberg REST spec's token
 * endpoint) for a token that is renewed before it expires. iceberg-js sends the headers.
 */
import type { AuthConfig } from 'iceberg-js';
import { IcebergError } from 'iceberg-js';

export type RestCatalogAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'client-credentials'; readonly clientId: string; readonly clientSecret: string; readonly scope: string };

/** A token is renewed once this share of its lifetime (at most a minute) is left, so no request goes out with one about to lapse. */
const RENEW_SHARE = 0.1;
const RENEW_AHEAD_MAX_MS = 60_000;

interface IssuedToken {
  readonly token: string;
  /** Epoch ms; Infinity for a token the server gave no lifetime. */
  readonly renewAt: number;
}

class ClientCredentials {
  private current: IssuedToken | undefined;
  /** The exchange under way, shared by the requests that wait for it; a failed one is not kept. */
  private pending: Promise<IssuedToken> | undefined;

  constructor(
    private readonly uri: string,
    private readonly auth: Extract<RestCatalogAuth, { type: 'client-credentials' }>,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (this.current === undefined || Date.now() >= this.current.renewAt) {
      this.pending ??= this.exchange().finally(() => {
        this.pending = undefined;
      });
      this.current = await this.pending;
    }
    return { Authorization: `Bearer ${this.current.token}` };
  }

  private async exchange(): Promise<IssuedToken> {
    const { clientId, clientSecret, scope } = this.auth;
    const requestedAt = Date.now();
    let response: Response;
    try {
      response = await fetch(`${this.uri}/v1/oauth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }),
      });
    } catch (error) {
      // Told apart like any other request that got no answer: waited out while the catalog is down.
      throw new IcebergError(`Network request failed: ${(error as Error).message}`, { status: 0, details: error });
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok || typeof body.access_token !== 'string') {
      const why = [body.error, body.error_description].filter(Boolean).join(': ') || 'no access_token in the answer';
      throw new Error(`REST catalog at ${this.uri} refused the client credentials of ${clientId} (HTTP ${response.status} ${why})`);
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : Infinity;
    return { token: body.access_token, renewAt: requestedAt + lifetimeMs - Math.min(lifetimeMs * RENEW_SHARE, RENEW_AHEAD_MAX_MS) };
  }
}

export function icebergAuth(uri: string, auth: RestCatalogAuth | undefined): AuthConfig {
  if (auth === undefined) return { type: 'none' };
  if (auth.type === 'bearer') return { type: 'bearer', token: auth.token };
  const credentials = new ClientCredentials(uri, auth);
  return { type: 'custom', getHeaders: () => credentials.headers() };
}
