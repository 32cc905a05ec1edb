'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useAuth } from '@/client';
import { useShownUser, type ShownUser } from './session';
import { Button, ButtonLink } from './ui';

/** Pages that are only for signed-in users: signing out there goes to the sign-in page. */
const PROTECTED = ['/dashboard', '/account'];

const LINKS = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/account', label: 'Account' },
];

function Brand() {
  return (
    <Link
      href="/"
      className="flex items-center gap-2 rounded-md font-semibold tracking-tight text-zinc-900 dark:text-white"
    >
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-accent-600" />
        <path d="M11 14v-3a5 5 0 0 1 10 0v3" fill="none" stroke="#fff" strokeWidth="2.5" />
        <rect x="8" y="14" width="16" height="11" rx="2" fill="#fff" />
      </svg>
      Auth kit
    </Link>
  );
}

function Avatar({ user }: { user: ShownUser }) {
  const initials =
    (user.name || user.username)
      .split(/\s+/)
      .map((part) => part[0])
      .join('')
      .slice(0, 2)
      .toUpperCase() || '?';
  return (
    <span
      aria-hidden="true"
      className="flex size-8 shrink-0 items-center justify-center rounded-full bg-accent-100 text-xs font-semibold text-accent-700 dark:bg-accent-900 dark:text-accent-200"
    >
      {initials}
    </span>
  );
}

/**
 * The demo's header. It shows the server's answer on the first paint and the hook's live state
 * after (see useShownUser), and when the two disagree it asks the server again: a layout rendered
 * after this tab's tokens were issued that found no session means the session was ended
 * elsewhere (revoked, signed out everywhere, deleted), so the hook refreshes, which signs out.
 */
export function NavBar({
  serverUser,
  serverCheckedAt,
}: {
  serverUser: ShownUser | null;
  /** When the layout asked the server (ms since the epoch). */
  serverCheckedAt: number;
}) {
  const { status, user, signOut, refresh } = useAuth();
  const shown = useShownUser(serverUser);
  const pathname = usePathname();
  const router = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);

  // `iat` is whole seconds: the token was issued before the end of that second.
  const issuedAt = status === 'authenticated' ? (Number(user.claims.iat) + 1) * 1000 : 0;
  useEffect(() => {
    if (issuedAt && !serverUser && serverCheckedAt > issuedAt) void refresh();
  }, [issuedAt, serverUser, serverCheckedAt, refresh]);

  async function onSignOut() {
    setSigningOut(true);
    setMenuOpen(false);
    await signOut();
    setSigningOut(false);
    if (PROTECTED.some((path) => pathname === path || pathname.startsWith(`${path}/`)))
      router.replace('/login');
    else router.refresh();
  }

  const linkClass = (href: string) =>
    pathname === href || pathname.startsWith(`${href}/`)
      ? 'bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-white'
      : 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-white';

  return (
    <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/85 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/85">
      <nav
        aria-label="Main"
        className="mx-auto flex h-16 max-w-5xl items-center gap-6 px-4 sm:px-6"
      >
        <Brand />
        {shown && (
          <div className="hidden items-center gap-1 sm:flex">
            {LINKS.map((link) => (
              <Link
                key={link.href}
                href={link.href}
                prefetch={false}
                aria-current={pathname === link.href ? 'page' : undefined}
                className={`rounded-lg px-3 py-2 text-sm font-medium ${linkClass(link.href)}`}
              >
                {link.label}
              </Link>
            ))}
          </div>
        )}
        <div className="ml-auto flex items-center gap-2">
          {shown ? (
            <>
              <span className="flex items-center gap-2">
                <Avatar user={shown} />
                <span
                  className="hidden max-w-40 truncate text-sm font-medium text-zinc-900 sm:block dark:text-zinc-100"
                  data-testid="nav-username"
                >
                  {shown.username}
                </span>
              </span>
              {/* A wrapper hides it on phones: the button's own display class would win. */}
              <span className="hidden sm:block">
                <Button variant="ghost" busy={signingOut} onClick={() => void onSignOut()}>
                  Sign out
                </Button>
              </span>
              <button
                type="button"
                className="flex size-10 items-center justify-center rounded-lg text-zinc-700 hover:bg-zinc-100 sm:hidden dark:text-zinc-300 dark:hover:bg-zinc-800"
                aria-expanded={menuOpen}
                aria-controls="mobile-menu"
                onClick={() => setMenuOpen((open) => !open)}
              >
                <span className="sr-only">Menu</span>
                <svg
                  viewBox="0 0 24 24"
                  className="size-6"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="2"
                  strokeLinecap="round"
                  aria-hidden="true"
                >
                  {menuOpen ? (
                    <path d="M6 6l12 12M18 6 6 18" />
                  ) : (
                    <path d="M4 7h16M4 12h16M4 17h16" />
                  )}
                </svg>
              </button>
            </>
          ) : status === 'loading' && !serverUser ? null : (
            <>
              <ButtonLink href="/login" variant="ghost" className="px-3">
                Sign in
              </ButtonLink>
              <ButtonLink href="/sign-up" className="px-3">
                Create account
              </ButtonLink>
            </>
          )}
        </div>
      </nav>
      {shown && menuOpen && (
        <div
          id="mobile-menu"
          className="border-t border-zinc-200 px-4 pt-3 pb-4 sm:hidden dark:border-zinc-800"
        >
          <div className="flex items-center gap-3 px-2 pb-3">
            <Avatar user={shown} />
            <div className="min-w-0">
              <p className="truncate text-sm font-semibold">{shown.name || shown.username}</p>
              {shown.name && (
                <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">
                  {shown.username}
                </p>
              )}
            </div>
          </div>
          <div className="grid gap-1">
            {LINKS.map((link) => (
              <Link
                key={link.href}
                href={link.href}
                prefetch={false}
                onClick={() => setMenuOpen(false)}
                className={`rounded-lg px-3 py-2.5 text-base font-medium ${linkClass(link.href)}`}
              >
                {link.label}
              </Link>
            ))}
            <button
              type="button"
              onClick={() => void onSignOut()}
              className="rounded-lg px-3 py-2.5 text-left text-base font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
            >
              Sign out
            </button>
          </div>
        </div>
      )}
    </header>
  );
}
