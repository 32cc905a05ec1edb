'use client';

import Link from 'next/link';
import { useAuth } from '@/client';

export default function HomePage() {
  const { status, user } = useAuth();
  return (
    <section>
      <h1>The auth kit is running</h1>
      <p>
        Sign-in, refresh, log-off, verify and JWKS endpoints live under <code>/auth</code>; the
        README documents them.
      </p>
      <p role="status">
        {status === 'loading' && 'Checking your session…'}
        {status === 'authenticated' && (
          <>
            You are signed in as <strong>{user.username}</strong>.
          </>
        )}
        {status === 'unauthenticated' && 'You are not signed in.'}
      </p>
      <ul>
        <li>
          <Link href="/login">Sign in</Link>
        </li>
        <li>
          <Link href="/dashboard" prefetch={false}>
            Dashboard
          </Link>{' '}
          (protected)
        </li>
        <li>
          <a href="/.well-known/jwks.json">JWKS</a>
        </li>
      </ul>
    </section>
  );
}
