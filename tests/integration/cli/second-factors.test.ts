import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { findUserByUsername } from '@/db/queries/users';
import { passkeys, recoveryCodes, totpFactors } from '@/db/schema';
import { startCli, type Cli } from '../../support/cli';
import { insertTestUser } from '../../support/users';

// npm run auth -- remove-second-factors (docs/database-and-cli.md): the support case "phone and
// recovery codes lost", after the operator checked the person by other means. TOTP and the
// recovery codes go; passkeys only with --passkeys.
describe(
  'npm run auth -- remove-second-factors, on the embedded database',
  { timeout: 120_000 },
  () => {
    let cli: Cli;
    beforeAll(async () => {
      cli = await startCli('kit-second-factors');
    });
    afterAll(() => cli.remove());
    const withDatabase = <T>(run: (db: Database) => Promise<T>) => cli.withDatabase(run);

    /** A user with TOTP on, two recovery codes and one passkey. */
    async function enrolled(db: Database, username: string) {
      const user = await insertTestUser(db, username, { password: null });
      await db
        .insert(totpFactors)
        .values({ userId: user.id, secretEnc: 'v1.x.y', confirmedAt: new Date() });
      await db.insert(recoveryCodes).values([
        { userId: user.id, codeHash: `${username}-a`.padEnd(64, '0') },
        { userId: user.id, codeHash: `${username}-b`.padEnd(64, '0') },
      ]);
      await db
        .insert(passkeys)
        .values({ id: `${username}-key`, userId: user.id, publicKey: new Uint8Array([1, 2, 3]) });
      return user.id;
    }

    const counts = (db: Database, userId: number) =>
      Promise.all([
        db.select().from(totpFactors).where(eq(totpFactors.userId, userId)),
        db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
        db.select().from(passkeys).where(eq(passkeys.userId, userId)),
      ]).then(([t, r, p]) => ({ totp: t.length, recoveryCodes: r.length, passkeys: p.length }));

    it('removes TOTP and the recovery codes (passkeys with --passkeys), says what it removed, and refuses an unknown user', async () => {
      const [ana, bo] = await withDatabase(async (db) => [
        await enrolled(db, 'lost-phone'),
        await enrolled(db, 'lost-all'),
      ]);
      const first = await cli.run(['remove-second-factors', 'lost-phone', '--yes']);
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toContain(
        'lost-phone: TOTP removed, 2 recovery code(s) removed; passkeys kept (1)',
      );
      const second = await cli.run(['remove-second-factors', 'lost-all', '--passkeys', '--yes']);
      expect(second).toMatchObject({ code: 0 });
      expect(second.stdout).toContain(
        'lost-all: TOTP removed, 2 recovery code(s) removed, 1 passkey(s) removed',
      );
      await withDatabase(async (db) => {
        expect(await counts(db, ana!)).toEqual({ totp: 0, recoveryCodes: 0, passkeys: 1 });
        expect(await counts(db, bo!)).toEqual({ totp: 0, recoveryCodes: 0, passkeys: 0 });
        // The user stays, and can sign in with the password again (no second step).
        expect(await findUserByUsername(db, 'lost-phone')).not.toBeNull();
      });
      // Again: nothing left, said plainly.
      expect((await cli.run(['remove-second-factors', 'lost-phone', '--yes'])).stdout).toContain(
        'lost-phone had no TOTP and no recovery codes',
      );
      const unknown = await cli.run(['remove-second-factors', 'nobody', '--yes']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no user named "nobody"');
      // Without --yes and without a terminal it refuses, and removes nothing.
      const asked = await cli.run(['remove-second-factors', 'lost-all']);
      expect(asked.code).toBe(1);
    });
  },
);
