import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { getClientIdpSettings } from '@/auth/client-settings';
import { AuthProvider } from '@/client';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Auth kit', template: '%s · Auth kit' },
  description: 'Production-grade sign-in for Next.js',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#09090b' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render at request time: the IdP settings come from the server's environment, not the build.
  await connection();
  return (
    <html lang="en">
      <body>
        <AuthProvider idp={getClientIdpSettings()}>{children}</AuthProvider>
      </body>
    </html>
  );
}
