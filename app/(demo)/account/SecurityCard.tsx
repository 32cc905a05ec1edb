import type { AccountInfo } from '@/client';
import { Card } from '../_components/ui';
import { PasskeysCard } from './PasskeysCard';
import { TotpCard } from './TotpCard';

/**
 * The account page's security section (docs/contract.md section 9): two-step verification with
 * an authenticator app and its recovery codes (TotpCard), and passkeys (PasskeysCard).
 */
export function SecurityCard({
  account,
  passkeysOffered,
}: {
  account: AccountInfo | null;
  passkeysOffered: boolean;
}) {
  return (
    <section id="security" aria-labelledby="security-title" className="scroll-mt-24 space-y-4">
      <div className="px-1">
        <h2 id="security-title" className="text-base font-semibold text-zinc-900 dark:text-white">
          Second factors and passkeys
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Stronger ways to prove it&rsquo;s you than a password alone.
        </p>
      </div>
      <Card
        id="two-step"
        headingLevel={3}
        title="Two-step verification"
        description="A code from your phone after your password keeps your account safe even if the password leaks."
      >
        <TotpCard account={account} />
      </Card>
      <PasskeysCard offered={passkeysOffered} account={account} />
    </section>
  );
}
