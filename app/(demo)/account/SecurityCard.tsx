import type { AccountInfo } from '@/client';
import { Badge, Card, Icon } from '../_components/ui';
import { PasskeysCard } from './PasskeysCard';

const TOTP_FACTORS = [
  {
    icon: 'shield' as const,
    title: 'Authenticator app',
    text: 'Six-digit codes from an app such as 1Password, Google Authenticator or Authy.',
  },
  {
    icon: 'lock' as const,
    title: 'Recovery codes',
    text: 'Single-use codes for when your phone is not at hand.',
  },
];

/**
 * Two-step verification (TOTP and recovery codes): a placeholder until its card is built
 * (docs/contract.md section 9). It says so, and offers nothing that does not work.
 */
function TotpPlaceholder() {
  return (
    <Card
      id="two-step"
      headingLevel={3}
      title={
        <span className="flex items-center gap-2">
          Two-step verification <Badge tone="accent">Coming soon</Badge>
        </span>
      }
      description="A code from your phone after your password. Until then your password and the sign-in limits protect the account."
    >
      <ul className="grid gap-3 sm:grid-cols-2" data-testid="second-factors">
        {TOTP_FACTORS.map((factor) => (
          <li
            key={factor.title}
            className="rounded-xl border border-dashed border-zinc-300 p-4 dark:border-zinc-700"
          >
            <Icon name={factor.icon} className="size-5 text-zinc-400" />
            <p className="mt-3 text-sm font-medium text-zinc-900 dark:text-white">{factor.title}</p>
            <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{factor.text}</p>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/**
 * The account page's security section: the ways to sign in beside the password, each in its own
 * card (passkeys; two-step verification). `passkeysOffered`: whether this server offers passkeys.
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
      <PasskeysCard offered={passkeysOffered} account={account} />
      <TotpPlaceholder />
    </section>
  );
}
