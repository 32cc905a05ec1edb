'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState, type ReactNode } from 'react';
import { useAuth } from '@/client';
import { Badge, Button, Card, Icon, PageHeader, Spinner, TextLink } from '../_components/ui';

/** RFC 8176 methods of the access token's `amr`, in words. */
function signInMethod(amr: unknown): string {
  const methods = Array.isArray(amr) ? amr : [];
  if (methods.includes('hwk')) return 'Passkey';
  if (methods.includes('fed')) return 'Identity provider';
  if (methods.includes('mfa')) return 'Password and a second factor';
  if (methods.includes('pwd')) return 'Password';
  return 'Unknown';
}

function timeOf(seconds: unknown): string {
  return typeof seconds === 'number'
    ? new Date(seconds * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : '—';
}

function Stat({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <p className="text-sm font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      <div className="mt-2 truncate text-lg font-semibold text-zinc-900 dark:text-white">
        {children}
      </div>
      {hint && <p className="mt-1 truncate text-sm text-zinc-500 dark:text-zinc-400">{hint}</p>}
    </div>
  );
}

/** The protected demo page: the user, the session, a protected API call, the token's claims. */
function Dashboard() {
  const { status, user, authFetch, signOut } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const query = useSearchParams().toString();
  const [apiAnswer, setApiAnswer] = useState<string | null>(null);
  const [calling, setCalling] = useState(false);
  const [endingAll, setEndingAll] = useState(false);

  useEffect(() => {
    // Signed out while here (another tab, a revoked session): back to sign-in, keeping the place.
    const here = query ? `${pathname}?${query}` : pathname;
    if (status === 'unauthenticated') router.replace(`/login?next=${encodeURIComponent(here)}`);
  }, [status, router, pathname, query]);

  if (status !== 'authenticated')
    return (
      <p role="status" className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
        <Spinner className="text-accent-600" /> Loading your session…
      </p>
    );

  async function callApi() {
    setCalling(true);
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
    } finally {
      setCalling(false);
    }
  }

  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return (
    <div className="space-y-8">
      <PageHeader
        title="Dashboard"
        description="What the kit knows about this session, and a call to a protected API."
      />

      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Signed in as" hint={user.email ? String(user.email) : name || undefined}>
          <span data-testid="username">{user.username}</span>
        </Stat>
        <Stat label="Signed in with" hint={`Since ${timeOf(user.claims.auth_time)}`}>
          {signInMethod(user.claims.amr)}
        </Stat>
        <Stat label="Access token" hint="Renewed automatically before it expires">
          Valid until {timeOf(user.claims.exp)}
        </Stat>
      </div>

      <Card
        title="Sessions"
        description={
          <>
            Signing out everywhere ends this session and every other one, on every device. To end a
            single one, use the list on your{' '}
            <TextLink href="/account#sessions" prefetch={false}>
              account page
            </TextLink>
            .
          </>
        }
      >
        <Button
          variant="secondary"
          busy={endingAll}
          onClick={() => {
            setEndingAll(true);
            void signOut({ everywhere: true });
          }}
        >
          Sign out everywhere
        </Button>
      </Card>

      <details
        className="group rounded-2xl bg-zinc-900 text-zinc-100 shadow-sm ring-1 ring-zinc-800 dark:bg-black"
        data-testid="developer-panel"
      >
        <summary className="flex cursor-pointer list-none items-center gap-3 rounded-2xl px-5 py-4 select-none sm:px-6 [&::-webkit-details-marker]:hidden">
          <Icon name="code" className="size-5 text-accent-300" />
          <span className="font-semibold">Developer panel</span>
          <Badge tone="warning">Raw data</Badge>
          <span className="ml-auto text-sm text-zinc-400 group-open:hidden">Show</span>
          <span className="ml-auto hidden text-sm text-zinc-400 group-open:inline">Hide</span>
        </summary>
        <div className="space-y-6 border-t border-zinc-800 px-5 py-5 sm:px-6">
          <p className="text-sm text-zinc-400">
            What a developer wants to see while building on the kit. Real users never need this.
          </p>
          <section className="space-y-3">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <div>
                <h2 className="font-semibold">Protected API</h2>
                <p className="text-sm text-zinc-400">
                  <code>GET /api/me</code> with the access token as a Bearer token.
                </p>
              </div>
              <Button busy={calling} onClick={() => void callApi()}>
                Call protected API
              </Button>
            </div>
            {apiAnswer && (
              <pre
                className="max-h-80 overflow-auto rounded-xl bg-black/40 p-4 font-mono text-xs leading-relaxed text-emerald-200 ring-1 ring-zinc-800"
                data-testid="api-answer"
              >
                {apiAnswer}
              </pre>
            )}
          </section>
          <section className="space-y-3">
            <h2 className="font-semibold">Access token claims</h2>
            <pre className="max-h-96 overflow-auto rounded-xl bg-black/40 p-4 font-mono text-xs leading-relaxed text-zinc-200 ring-1 ring-zinc-800">
              {JSON.stringify(user.claims, null, 2)}
            </pre>
          </section>
        </div>
      </details>
    </div>
  );
}

export default function DashboardPage() {
  return (
    <Suspense>
      <Dashboard />
    </Suspense>
  );
}
