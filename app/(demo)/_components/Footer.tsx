import Link from 'next/link';

/** The demo's footer: where the kit's public endpoints and the docs are. */
export function Footer() {
  return (
    <footer className="border-t border-zinc-200 dark:border-zinc-800">
      <div className="mx-auto flex max-w-5xl flex-col gap-3 px-4 py-6 text-sm text-zinc-500 sm:flex-row sm:items-center sm:justify-between sm:px-6 dark:text-zinc-400">
        <p>Auth kit · sign-in for Next.js, ported from django-rest-microservice</p>
        <nav aria-label="Footer" className="flex gap-5">
          <Link href="/" className="hover:text-zinc-900 dark:hover:text-white">
            Home
          </Link>
          <a href="/.well-known/jwks.json" className="hover:text-zinc-900 dark:hover:text-white">
            JWKS
          </a>
        </nav>
      </div>
    </footer>
  );
}
