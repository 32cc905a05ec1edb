import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { getClientIdpSettings } from '@/auth/client-settings';
import { AuthProvider } from '@/client';
import { NavBar } from './(demo)/_components/NavBar';
import './globals.css';

export const metadata: Metadata = {
  title: 'Auth kit',
  description: 'Production-grade sign-in for Next.js',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render at request time: the IdP settings come from the server's environment, not the build.
  await connection();
  return (
    <html lang="en">
      <body>
        <AuthProvider idp={getClientIdpSettings()}>
          <NavBar />
          <main className="container">{children}</main>
        </AuthProvider>
      </body>
    </html>
  );
}
