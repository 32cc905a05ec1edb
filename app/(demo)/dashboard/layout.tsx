import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'Dashboard' };

/** Only the page's title: the page itself is a Client Component. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  return children;
}
