import type { IdpSettings } from '../config/types';
import { createIdpVerifier, type IdpVerifier } from './verify';

const cache = globalThis as unknown as {
  __authKitIdp?: { idp: IdpSettings; verifier: IdpVerifier | null };
};

/** The process's IdP verifier (its JWKS cache lives as long as the process), or null when no IdP is configured. */
export function getIdpVerifier(idp: IdpSettings): IdpVerifier | null {
  if (cache.__authKitIdp?.idp !== idp)
    cache.__authKitIdp = { idp, verifier: createIdpVerifier(idp) };
  return cache.__authKitIdp.verifier;
}
