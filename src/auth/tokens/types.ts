import type { ClaimValue } from '../config/types';

/** The registered claims of the kit's access token (docs/contract.md section 4). */
export interface RegisteredAccessClaims {
  token_type: 'access';
  user_id: number;
  sub: string;
  jti: string;
  /** The session (refresh family) the token was issued for. */
  sid: string;
  /** Unix seconds of the sign-in or social exchange that started the session. */
  auth_time: number;
  /** RFC 8176 methods of that sign-in: `["pwd"]`, `["fed"]`. */
  amr: string[];
  iat: number;
  exp: number;
  iss?: string;
  aud?: string;
}

/** The claims of the kit's access token, plus any custom claims. */
export interface AccessTokenClaims extends RegisteredAccessClaims {
  [custom: string]: ClaimValue | undefined;
}

/** The claims of the kit's refresh token; `sid` names its refresh family (session). */
export interface RefreshTokenClaims {
  token_type: 'refresh';
  user_id: number;
  sub: string;
  jti: string;
  sid: string;
  iat: number;
  exp: number;
  iss?: string;
  aud?: string;
}

/** The claims of the session cookie the proxy reads; grants no API access. */
export interface SessionCookieClaims {
  sub: string;
  sid: string;
  exp: number;
}
