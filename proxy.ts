import { authMiddleware } from '@/auth/middleware';

/**
 * Route protection (Next.js 16's proxy, formerly middleware). The matcher decides what is
 * checked: the protected pages here; API routes guard themselves with withAuth() in their
 * handler, which costs less than a trip through the proxy (docs/protecting.md). /auth/*, /_next/*,
 * /.well-known/* and static files are never matched.
 */
export const proxy = authMiddleware({ signInPath: '/login' });

export const config = {
  matcher: ['/dashboard/:path*', '/account/:path*'],
};
