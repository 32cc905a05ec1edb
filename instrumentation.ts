/**
 * Next.js calls register() once when the server starts: the kit validates its configuration
 * there, so a bad setting stops the server with a message naming it instead of failing later.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startAuthKit } = await import('./src/auth/startup');
  await startAuthKit();
}
