'use client';

import dynamic from 'next/dynamic';
import { Spinner } from './ui';

/**
 * Loads the code form (and the kit's words for its errors). The password form starts it when it
 * is submitted, so that the form is there by the time a second step is asked for.
 */
export function loadSecondFactorForm() {
  return import('./SecondFactorForm');
}

/**
 * The second step's code form, loaded on demand: only accounts with two-step verification see
 * it, so a password-only sign-in never downloads it.
 */
export const SecondFactorForm = dynamic(
  () => loadSecondFactorForm().then((module) => module.SecondFactorForm),
  {
    loading: () => (
      <div className="flex justify-center py-10" aria-busy="true">
        <Spinner />
      </div>
    ),
  },
);
