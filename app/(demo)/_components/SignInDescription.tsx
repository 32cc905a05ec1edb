'use client';

import type { ReactNode } from 'react';
import { useAuth } from '@/client';

/** The sign-in page's line under its title: what to enter now, the password or the code. */
export function SignInDescription({ children }: { children: ReactNode }) {
  const { secondFactor } = useAuth();
  return secondFactor?.source === 'password'
    ? 'Your password is right. One more step to confirm it’s you.'
    : children;
}
