'use client';

import { useSyncExternalStore } from 'react';

// Whether the browser has WebAuthn: the one check, for the provider (usePasskeysSupported) and for
// the passkey flows (passkeys.ts, loaded with the first passkey member used).

/**
 * Whether this browser has WebAuthn at all, without loading the library (the same test as its
 * browserSupportsWebAuthn()): pages use it to show or hide a passkey button.
 */
export function browserHasWebAuthn(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.PublicKeyCredential === 'function' &&
    typeof navigator.credentials?.get === 'function'
  );
}

const noSubscription = () => () => {};

/** browserHasWebAuthn() for a component: false on the server and before hydration. */
export function usePasskeysSupported(): boolean {
  return useSyncExternalStore(noSubscription, browserHasWebAuthn, () => false);
}
