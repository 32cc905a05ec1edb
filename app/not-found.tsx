import Link from 'next/link';

/** Any path that does not exist, and pages that do not admit they exist (requireUser's `role`). */
export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 text-center">
      <p className="text-sm font-semibold text-accent-600 dark:text-accent-400">404</p>
      <h1 className="mt-2 text-3xl font-bold tracking-tight text-zinc-900 dark:text-white">
        This page does not exist
      </h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        The address may be mistyped, or the page may have moved.
      </p>
      <Link
        href="/"
        className="mt-8 rounded-lg bg-accent-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-accent-500"
      >
        Back to home
      </Link>
    </main>
  );
}
