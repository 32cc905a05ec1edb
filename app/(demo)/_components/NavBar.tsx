'use client';

import Link from 'next/link';
import { useAuth } from '@/client';

/** The demo's header: where you are signed in as, and the way in or out. */
export function NavBar() {
  const { status, user, signOut } = useAuth();
  return (
    <header className="nav">
      <nav aria-label="Main" className="container nav-inner">
        <Link href="/" className="brand">Auth kit</Link>
        <Link href="/dashboard">Dashboard</Link>
        <span className="spacer" />
        {status === 'authenticated' ? (
          <>
            <span className="muted">Signed in as {user.username}</span>
            <button type="button" className="link-button" onClick={() => void signOut()}>Sign out</button>
          </>
        ) : status === 'unauthenticated' ? (
          <Link href="/login">Sign in</Link>
        ) : null}
      </nav>
    </header>
  );
}
