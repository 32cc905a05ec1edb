import type { Metadata } from 'next';
import { requireUser } from '@/auth/server';
import { passkeysOffered } from '../_components/passkeys-offered';
import { AccountSections } from './AccountSections';
import { ProfileForm } from './ProfileForm';

export const metadata: Metadata = { title: 'Account' };

const SECTIONS = [
  { id: 'profile', label: 'Profile' },
  { id: 'email', label: 'E-mail' },
  { id: 'password', label: 'Password' },
  { id: 'sessions', label: 'Devices' },
  { id: 'security', label: 'Second factors' },
  { id: 'delete', label: 'Delete account' },
];

/**
 * A server-rendered page: requireUser() checks the session in the database on every request,
 * so a revoked session never renders it (the proxy only checked the cookie's signature).
 */
export default async function AccountPage() {
  const [user, passkeys] = await Promise.all([requireUser(), passkeysOffered()]);
  const name = [user.first_name, user.last_name].filter((part) => part?.trim()).join(' ');
  const initials = (name || user.username)
    .split(/\s+/)
    .map((part) => part[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <div className="space-y-8">
      <div className="flex items-center gap-4">
        <span
          aria-hidden="true"
          className="flex size-14 shrink-0 items-center justify-center rounded-full bg-accent-100 text-lg font-semibold text-accent-700 dark:bg-accent-900 dark:text-accent-200"
        >
          {initials}
        </span>
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-bold tracking-tight text-zinc-900 sm:text-3xl dark:text-white">
            {name || 'Your account'}
          </h1>
          <p className="truncate text-sm text-zinc-600 dark:text-zinc-400">
            Signed in as{' '}
            <strong
              className="font-semibold text-zinc-900 dark:text-zinc-100"
              data-testid="account-username"
            >
              {user.username}
            </strong>
          </p>
        </div>
      </div>
      <div className="lg:grid lg:grid-cols-[12rem_1fr] lg:gap-10">
        <nav aria-label="Account sections" className="hidden lg:block">
          <ul className="sticky top-24 space-y-1 text-sm">
            {SECTIONS.map((section) => (
              <li key={section.id}>
                <a
                  href={`#${section.id}`}
                  className={`block rounded-lg px-3 py-2 font-medium hover:bg-zinc-100 dark:hover:bg-zinc-800 ${section.id === 'delete' ? 'text-red-600 dark:text-red-400' : 'text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white'}`}
                >
                  {section.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="min-w-0 space-y-6">
          <ProfileForm firstName={user.first_name} lastName={user.last_name} />
          <AccountSections email={user.email ?? ''} passkeysOffered={passkeys} />
        </div>
      </div>
    </div>
  );
}
