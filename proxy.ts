import { authMiddleware } from '@/auth/middleware';

/**
 * Route protection (Next.js 16's proxy, formerly middleware). The matcher decides what is
 * checked: the protected pages here; API routes guard themselves with withAuth() in their
 * handler, which costs less than a trip through the proxy (see the README). /auth/*, /_next/*,
 * /.well-known/* and static files are never matched. The /bench/proxied entries exist for
 * `npm run bench` (those routes answer 404 unless BENCH_ROUTES=1); delete them freely.
 */
export const proxy = authMiddleware({
  signInPath: '/login',
  api: ['/bench/proxied/api'],
  publicPaths: ['/bench/proxied/hello'],
});

export const config = {
  matcher: ['/dashboard/:path*', '/bench/proxied/:path*'],
};
