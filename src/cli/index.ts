import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closeDatabase } from '@/db';
import { listUsers } from '@/db/queries/users';
import { flushExpiredTokens } from '@/db/queries/maintenance';
import { describeError } from '@/db/errors';
import {
  createUser,
  deactivateUser,
  deleteUser,
  importDjangoUsers,
  markEmailVerified,
  removeUserSecondFactors,
  setUserPassword,
} from '@/auth/services/users';
import { grantRole, revokeRole, setStaff } from '@/auth/services/roles';
import { generateSecret, generateSigningKey } from '@/auth/config/secrets';
import { getAuthDatabase } from '@/auth/context';
import { confirmOnTerminal, readNewPassword } from './io';

interface Command {
  usage: string;
  help: string;
  options?: Record<string, { type: 'string' | 'boolean' }>;
  positionals: number;
  run(args: {
    positionals: string[];
    values: Record<string, string | boolean | undefined>;
  }): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  'create-user': {
    usage:
      'create-user <username> [--email E [--email-verified]] [--staff] [--superuser] [--password-stdin | --no-password]',
    help:
      'Creates a user. The password is asked for on the terminal, or read from the first line of stdin. ' +
      'The address counts as verified for e-mail linking (an IdP sign-in with the same verified address joins this user) only with --email-verified.',
    options: {
      email: { type: 'string' },
      'email-verified': { type: 'boolean' },
      staff: { type: 'boolean' },
      superuser: { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
      'no-password': { type: 'boolean' },
    },
    positionals: 1,
    async run({ positionals: [username], values }) {
      if (values['email-verified'] && !values.email)
        throw new Error('--email-verified needs --email');
      const password = values['no-password']
        ? null
        : await readNewPassword(Boolean(values['password-stdin']));
      const { db } = await getAuthDatabase();
      const user = await createUser(db, {
        username: username!,
        password,
        email: values.email as string | undefined,
        emailVerified: Boolean(values['email-verified']),
        isStaff: Boolean(values.staff),
        isSuperuser: Boolean(values.superuser),
      });
      console.log(`created user ${user.username} (id ${user.id})`);
    },
  },
  'set-password': {
    usage: 'set-password <username> [--password-stdin]',
    help: "Sets a user's password and revokes all of their sessions.",
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: 1,
    async run({ positionals: [username], values }) {
      const password = await readNewPassword(Boolean(values['password-stdin']));
      const { db } = await getAuthDatabase();
      const { revokedSessions } = await setUserPassword(db, username!, password);
      console.log(`password set for ${username}; ${revokedSessions} session(s) revoked`);
    },
  },
  'verify-email': {
    usage: 'verify-email <username>',
    help:
      "Marks a user's e-mail address as verified: an account created by sign-up can then sign in " +
      'without opening its link, and the address may link an IdP sign-in with the same verified address.',
    positionals: 1,
    async run({ positionals: [username] }) {
      const { db } = await getAuthDatabase();
      const { email, alreadyVerified } = await markEmailVerified(db, username!);
      console.log(
        alreadyVerified
          ? `${username}'s address ${email} was verified already`
          : `${username}'s address ${email} is now verified`,
      );
    },
  },
  deactivate: {
    usage: 'deactivate <username>',
    help: 'Deactivates a user and revokes all of their sessions.',
    positionals: 1,
    async run({ positionals: [username] }) {
      const { db } = await getAuthDatabase();
      const { revokedSessions } = await deactivateUser(db, username!);
      console.log(`deactivated ${username}; ${revokedSessions} session(s) revoked`);
    },
  },
  'delete-user': {
    usage: 'delete-user <username> [--yes]',
    help: 'Deletes a user for good, with their sessions, tokens and IdP links (asks you to type the username, unless --yes).',
    options: { yes: { type: 'boolean' } },
    positionals: 1,
    async run({ positionals: [username], values }) {
      if (!values.yes)
        await confirmOnTerminal(
          `Delete user "${username}" with all their sessions? Type the username to confirm: `,
          username!,
        );
      const { db } = await getAuthDatabase();
      const { id, revokedSessions } = await deleteUser(db, username!);
      console.log(
        id === null
          ? `freed the username ${username}: a sign-up whose address had an account reserved it (no account was deleted)`
          : `deleted user ${username} (id ${id}); ${revokedSessions} session(s) revoked`,
      );
    },
  },
  'remove-second-factors': {
    usage: 'remove-second-factors <username> [--passkeys] [--yes]',
    help:
      "Removes a user's TOTP factor and recovery codes (and with --passkeys their passkeys), for a support case: " +
      'the phone and the codes are lost, and you have checked the person by other means. The password and the sessions stay ' +
      '(asks you to type the username, unless --yes).',
    options: { passkeys: { type: 'boolean' }, yes: { type: 'boolean' } },
    positionals: 1,
    async run({ positionals: [username], values }) {
      const which = values.passkeys
        ? 'TOTP, recovery codes and passkeys'
        : 'TOTP and recovery codes';
      if (!values.yes)
        await confirmOnTerminal(
          `Remove the ${which} of "${username}"? Type the username to confirm: `,
          username!,
        );
      const { db } = await getAuthDatabase();
      const removed = await removeUserSecondFactors(db, username!, {
        passkeys: Boolean(values.passkeys),
      });
      if (!removed.totp && removed.recoveryCodes === 0 && removed.passkeys === 0) {
        console.log(
          `${username} had no TOTP and no recovery codes${values.passkeys ? ' and no passkeys' : ''}; nothing removed`,
        );
        return;
      }
      const passkeys = values.passkeys
        ? `, ${removed.passkeys} passkey(s) removed`
        : `; passkeys kept (${removed.passkeysKept})`;
      console.log(
        `${username}: TOTP ${removed.totp ? 'removed' : 'was off'}, ${removed.recoveryCodes} recovery code(s) removed${passkeys}`,
      );
    },
  },
  'grant-role': {
    usage: 'grant-role <username> <role>',
    help: "Gives a user a role (Django's groups): the `roles` claim of their next access token, and getCurrentUser() at once.",
    positionals: 2,
    async run({ positionals: [username, role] }) {
      const { db } = await getAuthDatabase();
      const granted = await grantRole(db, username!, role!);
      console.log(granted ? `granted ${role} to ${username}` : `${username} has ${role} already`);
    },
  },
  'revoke-role': {
    usage: 'revoke-role <username> <role>',
    help: 'Takes a role away from a user (access tokens already issued keep it until they expire).',
    positionals: 2,
    async run({ positionals: [username, role] }) {
      const { db } = await getAuthDatabase();
      const revoked = await revokeRole(db, username!, role!);
      console.log(
        revoked ? `revoked ${role} from ${username}` : `${username} does not have ${role}`,
      );
    },
  },
  'set-staff': {
    usage: 'set-staff <username> [--off]',
    help: "Sets Django's is_staff flag (the `is_staff` claim and the `staff` role), or clears it with --off.",
    options: { off: { type: 'boolean' } },
    positionals: 1,
    async run({ positionals: [username], values }) {
      const { db } = await getAuthDatabase();
      await setStaff(db, username!, !values.off);
      console.log(`${username} is ${values.off ? 'no longer' : 'now'} staff`);
    },
  },
  'list-users': {
    usage: 'list-users [--json]',
    help: 'Lists users (never their password hashes).',
    options: { json: { type: 'boolean' } },
    positionals: 0,
    async run({ values }) {
      const { db } = await getAuthDatabase();
      for (let offset = 0; ; offset += 1000) {
        const page = await listUsers(db, { offset, limit: 1000 });
        for (const { password: _hash, ...user } of page) {
          if (values.json) console.log(JSON.stringify(user));
          else
            console.log(
              [
                user.id,
                user.username,
                user.email || '-',
                user.isActive ? 'active' : 'inactive',
                user.isSuperuser ? 'superuser' : user.isStaff ? 'staff' : '',
              ]
                .join('\t')
                .trimEnd(),
            );
        }
        if (page.length < 1000) break;
      }
    },
  },
  'flush-expired-tokens': {
    usage: 'flush-expired-tokens',
    help: "Deletes expired outstanding and blacklisted tokens and spent records (simplejwt's flushexpiredtokens).",
    positionals: 0,
    async run() {
      const { db } = await getAuthDatabase();
      const result = await flushExpiredTokens(db);
      console.log(
        `flushed ${result.outstandingTokens} expired token(s), ${result.sessions} session(s), ${result.usedIdTokens} id-token record(s), ${result.signInAttempts} throttle window(s), ${result.mailTokens} mailed token(s), ${result.authChallenges} sign-in challenge(s)`,
      );
    },
  },
  'import-django-users': {
    usage: 'import-django-users <file> [--emails-verified]',
    help:
      'Imports `manage.py dumpdata auth.user` JSON, keeping ids and password hashes. A username that differs from another only in case is skipped. ' +
      'Addresses count as verified for e-mail linking only with --emails-verified (say it only when the Django side verified them).',
    options: { 'emails-verified': { type: 'boolean' } },
    positionals: 1,
    async run({ positionals: [file], values }) {
      let dump: unknown;
      try {
        dump = JSON.parse(readFileSync(file!, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }
      const { db } = await getAuthDatabase();
      const { inserted, skipped, ignored } = await importDjangoUsers(db, dump, {
        emailsVerified: Boolean(values['emails-verified']),
      });
      console.log(
        `imported ${inserted} user(s); skipped ${skipped} already present (or differing only in case); ignored ${ignored} other entr(ies)`,
      );
    },
  },
  'generate-keys': {
    usage: 'generate-keys [--algorithm ES256|RS256|EdDSA]',
    help: 'Prints a new AUTH_SECRET and AUTH_SIGNING_KEYS for production (put them in your secret store).',
    options: { algorithm: { type: 'string' } },
    positionals: 0,
    async run({ values }) {
      const algorithm = (values.algorithm as string | undefined) ?? 'ES256';
      if (!['ES256', 'RS256', 'EdDSA'].includes(algorithm))
        throw new Error('--algorithm must be ES256, RS256 or EdDSA');
      const key = await generateSigningKey(algorithm as 'ES256');
      console.log(`AUTH_SECRET=${generateSecret()}`);
      console.log(`AUTH_SIGNING_KEYS='${JSON.stringify({ keys: [key] })}'`);
    },
  },
};

function usage(): string {
  return [
    'Usage: npm run auth -- <command> [options]',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.help}`),
  ].join('\n');
}

/** Runs one CLI command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run auth -- ${command.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`Usage: npm run auth -- ${command.usage}\n\n${command.help}`);
    return 0;
  }
  if (parsed.positionals.length !== command.positionals) {
    console.error(
      `expected ${command.positionals} argument(s)\nUsage: npm run auth -- ${command.usage}`,
    );
    return 2;
  }
  try {
    await command.run(parsed as Parameters<Command['run']>[0]);
    return 0;
  } catch (error) {
    console.error(`error: ${describeError(error)}`);
    return 1;
  } finally {
    await closeDatabase().catch(() => {});
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}
