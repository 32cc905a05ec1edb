import type { AccountInfo } from '@/client';
import { Badge, Card, Icon } from '../_components/ui';
import { TotpCard } from './TotpCard';

const FACTORS = [
  {
    icon: 'key' as const,
    title: 'Passkeys',
    text: 'Sign in with your fingerprint, face or device PIN instead of a password.',
  },
];

/**
 * Second factors (docs/contract.md section 9): the authenticator app with its recovery codes
 * (TotpCard), and the factors still to come, which the card says are coming and offers nothing for.
 */
export function SecurityCard({ account }: { account: AccountInfo | null }) {
  return (
    <Card
      id="security"
      title="Second factors"
      description="A second step after your password keeps your account safe even if the password leaks."
    >
      <div className="space-y-4">
        <TotpCard account={account} />
        <ul className="grid gap-3" data-testid="second-factors">
          {FACTORS.map((factor) => (
            <li
              key={factor.title}
              className="rounded-xl border border-dashed border-zinc-300 p-4 dark:border-zinc-700"
            >
              <div className="flex items-center justify-between gap-2">
                <Icon name={factor.icon} className="size-5 text-zinc-400" />
                <Badge tone="accent">Coming soon</Badge>
              </div>
              <p className="mt-3 text-sm font-medium text-zinc-900 dark:text-white">
                {factor.title}
              </p>
              <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{factor.text}</p>
            </li>
          ))}
        </ul>
      </div>
    </Card>
  );
}
