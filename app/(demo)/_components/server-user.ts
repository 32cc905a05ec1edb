import 'server-only';
import { connection } from 'next/server';
import { getCurrentUser } from '@/auth/server';
import { UNCONFIGURED, log } from '@/log';
import type { ShownUser } from './session';

/**
 * The signed-in user as the demo's chrome shows it, checked on the server (the session cookie,
 * then one indexed read, shared with the page through React's cache()). A database that cannot
 * be reached shows the page signed out rather than failing it: the sign-in form still renders
 * and says what is wrong when it is used.
 */
export async function serverShownUser(): Promise<ShownUser | null> {
  // At request time only: `next build` prerenders nothing that depends on the visitor.
  await connection();
  try {
    const user = await getCurrentUser();
    if (!user) return null;
    const name = [user.first_name, user.last_name].filter((part) => part?.trim()).join(' ');
    return { username: user.username, name };
  } catch (error) {
    log(UNCONFIGURED, 'warn', 'demo: could not check the session for the navigation', {
      error: (error as Error).message,
    });
    return null;
  }
}
