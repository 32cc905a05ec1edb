'use client';

import Link from 'next/link';
import { useAuth } from '@/client';

/** The demo's header: where you are signed in as, and the way in or out. */
export function NavBar() {
  const { status, user } = useAuth();
  return (
    <header className="nav">
      <nav aria-label="Main" className="container nav-inner">
        <Link href="/" className="brand">
          Auth kit
        </Link>
        <Link href="/dashboard" prefetch={false}>
          Dashboard
        </Link>
        <Link href="/account" prefetch={false}>
          Account
        </Link>
        <span className="spacer" />
        {status === 'authenticated' ? (
          <span className="muted">Signed in as {user.username}</span>
        ) : status === 'unauthenticated' ? (
          <Link href="/login">Sign in</Link>
        ) : null}
      </nav>
    </header>
  );
}
