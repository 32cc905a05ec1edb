import type { ReactNode } from 'react';
import { Footer } from './_components/Footer';
import { NavBar } from './_components/NavBar';
import { serverShownUser } from './_components/server-user';

/** When this render asked the server who is signed in (kept out of the component: it is impure). */
function now(): number {
  return Date.now();
}

/**
 * The demo's frame: the navigation, the page, the footer. Who is signed in is asked here, on the
 * server (getCurrentUser(): one indexed read per request), so the first paint is right; the
 * navigation follows the useAuth() hook from then on. The root layout stays free of it, so a
 * page of your own outside this group pays for no session check it does not use.
 */
export default async function DemoLayout({ children }: { children: ReactNode }) {
  const serverUser = await serverShownUser();
  return (
    <div className="flex min-h-dvh flex-col">
      <NavBar serverUser={serverUser} serverCheckedAt={now()} />
      <main className="mx-auto w-full max-w-5xl flex-1 px-4 py-8 sm:px-6 sm:py-12">{children}</main>
      <Footer />
    </div>
  );
}
