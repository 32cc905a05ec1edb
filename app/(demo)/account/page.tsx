import type { Metadata } from 'next';
import { requireUser } from '@/auth/server';
import { ProfileForm } from './ProfileForm';

export const metadata: Metadata = { title: 'Account · Auth kit' };

/**
 * A server-rendered page: requireUser() checks the session in the database on every request,
 * so a revoked session never renders it (the proxy only checked the cookie's signature).
 */
export default async function AccountPage() {
  const user = await requireUser();
  return (
    <section>
      <h1>Account</h1>
      <p>
        Signed in as <strong data-testid="account-username">{user.username}</strong>
        {user.email ? <> ({user.email})</> : null}
      </p>
      <h2>Profile</h2>
      <ProfileForm firstName={user.first_name} lastName={user.last_name} />
    </section>
  );
}
