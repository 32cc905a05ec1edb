// The second step of a sign-in in the provider (docs/contract.md section 9): the `mfa_token`
// held in memory, the step's lifetime, and the code's check (mfa.ts, loaded with the first code).

import { useCallback, useRef, useState } from 'react';
import type {
  PendingSecondFactor,
  SecondFactorInput,
  SecondFactorNeeded,
  SecondFactorResult,
} from './mfa';
import { loadFailure } from './api';
import type * as MfaModule from './mfa';
import { SECOND_STEP_LIFETIME_MS, stepError, type SecondFactorRequired } from './second-step';
import type { AuthClientErrorInfo, TokenAnswer } from './types';

/**
 * The second step of a sign-in, for <AuthProvider>: `begin` takes the first step's answer (the
 * token goes into a ref, never into state, storage or a broadcast), `verifySecondFactor` finishes
 * it as a password sign-in finishes: the tokens into the state and the other tabs told (`signedIn`).
 */
export function useSecondStep({
  signedIn,
  toErrorInfo,
}: {
  signedIn: (answer: TokenAnswer) => void;
  toErrorInfo: (error: unknown, source: AuthClientErrorInfo['source']) => AuthClientErrorInfo;
}) {
  const token = useRef<MfaModule.HeldSecondStep | null>(null);
  const [pending, setPending] = useState<PendingSecondFactor | null>(null);

  const cancelSecondFactor = useCallback(() => {
    token.current = null;
    setPending(null);
  }, []);

  const begin = useCallback(
    (required: SecondFactorRequired, source: PendingSecondFactor['source']): SecondFactorNeeded => {
      token.current = { value: required.mfaToken, failures: 0 };
      setPending({
        methods: required.methods,
        source,
        expiresAt: Date.now() + SECOND_STEP_LIFETIME_MS,
      });
      return {
        ok: false,
        mfaRequired: true,
        methods: required.methods,
        error: {
          source: source === 'password' ? 'sign-in' : 'cognito',
          code: 'mfa_required',
          detail: 'Enter the code from your authenticator app to finish signing in.',
          status: 200,
        },
      };
    },
    [],
  );

  const expiresAt = pending?.expiresAt ?? 0;
  const verifySecondFactor = useCallback(
    async (input: SecondFactorInput): Promise<SecondFactorResult> => {
      const expired = {
        ok: false,
        error: stepError('second_factor_expired'),
        restart: true,
      } as const;
      const held = token.current;
      // Judged here, before anything loads or is sent: no step held, or its lifetime is over.
      if (!held || Date.now() >= expiresAt) {
        cancelSecondFactor();
        return expired;
      }
      let verifySecondStep: typeof MfaModule.verifySecondStep;
      try {
        // The code's check loads with the first code (src/client/mfa.ts), not with the page.
        ({ verifySecondStep } = await import('./mfa'));
      } catch {
        return { ok: false, error: loadFailure('sign-in'), restart: false };
      }
      // "Back" (or a new sign-in) while the check loaded: this step is over, and the token not sent.
      if (token.current !== held) return expired;
      const result = await verifySecondStep(held, input, { signedIn, toErrorInfo });
      // Over when it signed in or the server ended it, unless a new step has begun meanwhile.
      if ((result.ok || result.restart) && token.current === held) cancelSecondFactor();
      return result;
    },
    [expiresAt, signedIn, toErrorInfo, cancelSecondFactor],
  );

  return { pending, begin, verifySecondFactor, cancelSecondFactor };
}
