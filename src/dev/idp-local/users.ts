import { createHash } from 'node:crypto';

/** A user the local IdP accepts at its sign-in form. */
export interface LocalIdpUser {
  username: string;
  password: string;
  email: string;
  emailVerified?: boolean;
  givenName?: string;
  familyName?: string;
}

/** The built-in account used when LOCAL_IDP_USERS is not set. */
export const DEMO_USER: Readonly<LocalIdpUser> = Object.freeze({
  username: 'demo',
  password: 'demo-password-123',
  email: 'demo@example.com',
  emailVerified: true,
  givenName: 'Demo',
  familyName: 'User',
});

const EMAIL = /^[^\s@:,]+@[^\s@:,]+$/;
const USERNAME = /^[^\s:,]+$/;

/**
 * Parses `name:password:email,name2:password2:email2` into users (blank input yields the demo user).
 *
 * The first segment is the name and the last the email, so passwords may contain `:` (not `,`).
 */
export function parseLocalIdpUsers(raw: string | undefined): LocalIdpUser[] {
  if (raw === undefined || raw.trim() === '') return [{ ...DEMO_USER }];
  const seen = new Set<string>();
  return raw.split(',').map((entry, index) => {
    const parts = entry.trim().split(':');
    const username = parts[0] ?? '';
    // Never echo the password back in an error message.
    const shown =
      parts.length >= 3
        ? `${username}:***:${parts.at(-1)}`
        : `${username}${parts.length > 1 ? ':***' : ''}`;
    const fail = (why: string): never => {
      throw new Error(
        `LOCAL_IDP_USERS entry ${index + 1} ("${shown}") ${why}; expected name:password:email`,
      );
    };
    if (parts.length < 3) fail('has fewer than three ":"-separated parts');
    const email = parts.at(-1) ?? '';
    const password = parts.slice(1, -1).join(':');
    if (!USERNAME.test(username)) fail('has an empty or invalid username');
    if (password === '') fail('has an empty password');
    if (!EMAIL.test(email)) fail('has an invalid email');
    if (seen.has(username.toLowerCase())) fail('repeats a username');
    seen.add(username.toLowerCase());
    return { username, password, email, emailVerified: true };
  });
}

/** Derives a stable UUID `sub` for a user, so restarts and token minters agree on it. */
export function stableSub(userPoolId: string, username: string): string {
  const bytes = createHash('sha256').update(`${userPoolId}:${username.toLowerCase()}`).digest();
  // Shaped as a v4 UUID like Cognito's subs, so strict UUID validators downstream accept it.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
