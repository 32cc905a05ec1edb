/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // NEXT_DIST_DIR lets a test or benchmark build live beside the developer's own .next.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // The seed's URLs end with a slash (/auth/sign-in/): serve them directly instead of answering
  // a 308, so a POST with a body reaches the handler either way.
  skipTrailingSlashRedirect: true,
  // Next 16 blocks dev-server assets requested from another origin than localhost: without this,
  // http://127.0.0.1:3000 in `npm run dev` never hydrates and the sign-in buttons stay disabled.
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // Native and WebAssembly packages are loaded from node_modules at run time, not bundled.
  serverExternalPackages: [
    '@electric-sql/pglite',
    '@node-rs/argon2',
    'pg',
    '@neondatabase/serverless',
    'ws',
  ],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
