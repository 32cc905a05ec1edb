'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState } from 'react';
import { useAuth } from '@/client';

/** The protected demo page: the user, the access token's claims, a protected API call. */
function Dashboard() {
  const { status, user, authFetch, signOut } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const query = useSearchParams().toString();
  const [apiAnswer, setApiAnswer] = useState<string | null>(null);

  useEffect(() => {
    // Signed out while here (another tab, a revoked session): back to sign-in, keeping the place.
    const here = query ? `${pathname}?${query}` : pathname;
    if (status === 'unauthenticated') router.replace(`/login?next=${encodeURIComponent(here)}`);
  }, [status, router, pathname, query]);

  if (status !== 'authenticated') return <p role="status">Loading…</p>;

  async function callApi() {
    try {
      const response = await authFetch('/api/me');
      const text = await response.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* not JSON (a proxy's error page): show it as it came */
      }
      setApiAnswer(`${response.status} ${shown}`);
    } catch (error) {
      setApiAnswer(`The API could not be reached: ${(error as Error).message}`);
    }
  }

  return (
    <section>
      <h1>Dashboard</h1>
      <p>
        Signed in as <strong data-testid="username">{user.username}</strong>
        {user.email ? <> ({user.email})</> : null}
      </p>
      <h2>Access token claims</h2>
      <pre className="code">{JSON.stringify(user.claims, null, 2)}</pre>
      <div className="row">
        <button type="button" onClick={() => void callApi()}>
          Call protected API
        </button>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => void signOut({ everywhere: true })}
        >
          Sign out everywhere
        </button>
      </div>
      {apiAnswer && (
        <>
          <h2>GET /api/me</h2>
          <pre className="code" data-testid="api-answer">
            {apiAnswer}
          </pre>
        </>
      )}
    </section>
  );
}

export default function DashboardPage() {
  return (
    <Suspense>
      <Dashboard />
    </Suspense>
  );
}
