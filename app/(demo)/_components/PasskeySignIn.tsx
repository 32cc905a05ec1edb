'use client';

import { useEffect, useRef, useState } from 'react';
import { describePasskeyError, isPasskeyCancel, useAuth } from '@/client';
import { Button, Icon } from './ui';

/** An autofill request that ended on its own after this long timed out: it is started again. */
const AUTOFILL_RETRY_AFTER_MS = 60_000;

/**
 * The sign-in form's passkey part: the "Sign in with a passkey" button, and passkeys in the
 * username field's autofill (conditional UI) where the browser offers them there. Rendered only
 * where the server offers passkeys, and imported on demand by LoginForm, so a password-only
 * sign-in page carries none of it. Nothing shows on a browser without WebAuthn.
 *
 * The autofill request waits in the background while `idle` (the form is hydrated, nobody is
 * signed in, no password sign-in is running): it stops when the user signs in another way or
 * leaves the page, and starts again when that did not sign in.
 */
export function PasskeySignIn({
  idle,
  disabled,
  onStart,
  onBusy,
  onSignedIn,
  onError,
  onNotice,
}: {
  idle: boolean;
  disabled: boolean;
  /** A passkey sign-in starts: clear the form's messages. */
  onStart(): void;
  /** The browser's prompt is open (the password form waits). */
  onBusy(busy: boolean): void;
  onSignedIn(): void;
  onError(message: string): void;
  onNotice(message: string): void;
}) {
  const { passkeysSupported, signInWithPasskey, startPasskeyAutofill } = useAuth();
  const [busy, setBusy] = useState(false);
  const autofill = useRef<AbortController | null>(null);
  const [autofillRound, setAutofillRound] = useState(0);

  useEffect(() => {
    if (!idle || !passkeysSupported) return;
    const controller = new AbortController();
    autofill.current = controller;
    const started = Date.now();
    void startPasskeyAutofill({ signal: controller.signal }).then((result) => {
      if (controller.signal.aborted && !result.ok) return;
      if (result.ok) onSignedIn();
      else if (isPasskeyCancel(result.error)) {
        // The request timed out with its challenge (5 minutes) while the page stayed open:
        // start over with new options. A browser that refuses at once is not asked again.
        if (Date.now() - started > AUTOFILL_RETRY_AFTER_MS) setAutofillRound((round) => round + 1);
      } else if (result.error.code !== 'passkey_unsupported')
        onError(describePasskeyError(result.error));
    });
    return () => controller.abort();
  }, [idle, passkeysSupported, autofillRound, startPasskeyAutofill, onSignedIn, onError]);

  async function onClick() {
    autofill.current?.abort();
    onStart();
    setBusy(true);
    onBusy(true);
    const result = await signInWithPasskey();
    setBusy(false);
    onBusy(false);
    if (result.ok) {
      onSignedIn();
      return;
    }
    // Closing the browser's prompt is a choice, not a failure: say so calmly.
    if (isPasskeyCancel(result.error)) onNotice(describePasskeyError(result.error));
    else onError(describePasskeyError(result.error));
    setAutofillRound((round) => round + 1);
  }

  if (!passkeysSupported) return null;
  return (
    <Button
      variant="secondary"
      className="w-full"
      busy={busy}
      disabled={disabled}
      onClick={() => void onClick()}
    >
      {!busy && <Icon name="key" className="size-4" />}
      Sign in with a passkey
    </Button>
  );
}
