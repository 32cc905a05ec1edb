'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { useShownUser, type ShownUser } from './session';
import { Alert, ButtonLink, Icon } from './ui';

const FEATURES: { icon: Parameters<typeof Icon>[0]['name']; title: string; text: string }[] = [
  {
    icon: 'lock',
    title: 'Tokens done right',
    text: 'Short-lived access tokens in memory, the refresh token in an HttpOnly cookie, CSRF double submit, rotation with reuse detection.',
  },
  {
    icon: 'mail',
    title: 'Accounts and recovery',
    text: 'Sign-up with e-mail verification, password reset and change, e-mail change and account deletion, without telling anyone which addresses have accounts.',
  },
  {
    icon: 'devices',
    title: 'Sessions you can end',
    text: 'See every signed-in device, sign one out or all of them. Server components and actions see it on the very next request.',
  },
  {
    icon: 'key',
    title: 'Your IdP, or none',
    text: 'Username and password, or AWS Cognito and any OIDC provider through PKCE, exchanged for the kit’s own tokens.',
  },
  {
    icon: 'code',
    title: 'Typed from your config',
    text: 'getCurrentUser(), requireUser(), withAuth() and useAuth() know your user and claims, no casts.',
  },
  {
    icon: 'shield',
    title: 'A JWKS for your services',
    text: 'Other services verify access tokens with the public keys at /.well-known/jwks.json, no shared secret.',
  },
];

function Tile({
  href,
  icon,
  title,
  children,
}: {
  href: string;
  icon: Parameters<typeof Icon>[0]['name'];
  title: string;
  children: ReactNode;
}) {
  return (
    <Link
      href={href}
      prefetch={false}
      className="group flex gap-4 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-zinc-200 transition hover:shadow-md hover:ring-accent-300 dark:bg-zinc-900 dark:ring-zinc-800 dark:hover:ring-accent-700"
    >
      <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-accent-50 text-accent-600 dark:bg-accent-950 dark:text-accent-300">
        <Icon name={icon} className="size-5" />
      </span>
      <span className="min-w-0">
        <span className="flex items-center gap-1 font-semibold text-zinc-900 dark:text-white">
          {title}
          <Icon
            name="arrow"
            className="size-4 text-zinc-400 transition group-hover:translate-x-0.5 group-hover:text-accent-600"
          />
        </span>
        <span className="mt-1 block text-sm text-zinc-600 dark:text-zinc-400">{children}</span>
      </span>
    </Link>
  );
}

function SignedIn({ user }: { user: ShownUser }) {
  const firstName = user.name.split(' ')[0];
  return (
    <div className="space-y-10">
      <div>
        <p className="text-sm font-medium text-accent-600 dark:text-accent-400">
          Signed in as {user.username}
        </p>
        <h1
          className="mt-2 text-3xl font-bold tracking-tight text-zinc-900 sm:text-4xl dark:text-white"
          data-testid="welcome"
        >
          Welcome back, {firstName || user.username}
        </h1>
        <p className="mt-3 max-w-2xl text-zinc-600 dark:text-zinc-400">
          Everything the kit does for a signed-in user is one click away.
        </p>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Tile href="/dashboard" icon="bolt" title="Dashboard">
          Your session, a call to a protected API, and the developer panel with your token’s claims.
        </Tile>
        <Tile href="/account" icon="user" title="Account">
          Profile, e-mail address, password, signed-in devices, and deleting your account.
        </Tile>
      </div>
    </div>
  );
}

function SignedOut({ deleted }: { deleted: boolean }) {
  return (
    <div className="space-y-14 sm:space-y-20">
      {deleted && (
        <div className="mx-auto max-w-xl" data-testid="account-deleted">
          <Alert tone="success" title="Your account is deleted">
            <p>
              Your account, its sign-in methods and every session are gone, and every device is
              signed out. Thanks for trying the kit.
            </p>
          </Alert>
        </div>
      )}
      <div className="mx-auto max-w-3xl pt-4 text-center sm:pt-10">
        <p className="inline-flex items-center gap-2 rounded-full bg-white px-3 py-1 text-xs font-medium text-zinc-600 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-800">
          <span className="size-1.5 rounded-full bg-emerald-500" aria-hidden="true" />
          Next.js 16 · App Router · PostgreSQL
        </p>
        <h1 className="mt-6 text-4xl font-bold tracking-tight text-balance text-zinc-900 sm:text-6xl dark:text-white">
          Production-grade sign-in, on day one
        </h1>
        <p className="mx-auto mt-6 max-w-2xl text-base text-pretty text-zinc-600 sm:text-lg dark:text-zinc-400">
          A starter you clone: accounts, sessions and tokens with the security decisions already
          made, tested from the outside, and documented.
        </p>
        <div className="mt-8 flex flex-col justify-center gap-3 sm:flex-row">
          <ButtonLink href="/sign-up" className="px-6 py-3 text-base sm:py-2.5">
            Create account
          </ButtonLink>
          <ButtonLink href="/login" variant="secondary" className="px-6 py-3 text-base sm:py-2.5">
            Sign in
          </ButtonLink>
        </div>
      </div>
      <section aria-labelledby="features-title">
        <h2 id="features-title" className="sr-only">
          What the kit does
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {FEATURES.map((feature) => (
            <li
              key={feature.title}
              className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800"
            >
              <span className="flex size-10 items-center justify-center rounded-xl bg-accent-50 text-accent-600 dark:bg-accent-950 dark:text-accent-300">
                <Icon name={feature.icon} className="size-5" />
              </span>
              <h3 className="mt-4 font-semibold text-zinc-900 dark:text-white">{feature.title}</h3>
              <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{feature.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** Follows the hook after the server's first answer, like the navigation (useShownUser). */
export function HomeContent({
  serverUser,
  deleted = false,
}: {
  serverUser: ShownUser | null;
  /** Just deleted the account (the account page's last step): say that it worked. */
  deleted?: boolean;
}) {
  const user = useShownUser(serverUser);
  return user ? <SignedIn user={user} /> : <SignedOut deleted={deleted} />;
}
