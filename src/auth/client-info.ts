import type { AuthConfig } from './config/types';

/** Where a request came from, for sessions, throttling and events. */
export interface ClientInfo {
  address: string | null;
  userAgent: string;
}

/**
 * The client's address from the configured header (AUTH_CLIENT_ADDRESS_HEADER), or null when
 * none is configured: a client can write any X-Forwarded-For it likes, so it is trusted only when
 * a proxy in front of the app is known to set it. With X-Forwarded-For, the last entry (the one
 * the nearest proxy appended) is used.
 */
export function clientAddress(
  config: Pick<AuthConfig, 'clientAddressHeader'>,
  headers: Headers,
): string | null {
  if (!config.clientAddressHeader) return null;
  const value = headers.get(config.clientAddressHeader);
  if (!value) return null;
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const address = config.clientAddressHeader === 'x-forwarded-for' ? entries.at(-1) : entries[0];
  return address ? address.slice(0, 64) : null;
}

/** The address and user agent of a request. */
export function clientInfo(
  config: Pick<AuthConfig, 'clientAddressHeader'>,
  request: Request,
): ClientInfo {
  return {
    address: clientAddress(config, request.headers),
    userAgent: request.headers.get('user-agent') ?? '',
  };
}
