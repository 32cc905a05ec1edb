import 'server-only';
import { connection } from 'next/server';
import { getAuthCore } from '@/auth/context';
import { passkeysAvailable } from '@/auth/passkeys/relying-party';
import { UNCONFIGURED, log } from '@/log';

/**
 * Whether this server offers passkeys (a relying party WebAuthn can use, from AUTH_APP_URL), so
 * the pages show a passkey button only where the ceremony can work. A configuration that cannot
 * be read hides the button rather than failing the page: the password form still says what is
 * wrong when it is used.
 */
export async function passkeysOffered(): Promise<boolean> {
  await connection();
  try {
    return passkeysAvailable((await getAuthCore()).config);
  } catch (error) {
    log(UNCONFIGURED, 'warn', 'demo: could not read the configuration for passkeys', {
      error: (error as Error).message,
    });
    return false;
  }
}
