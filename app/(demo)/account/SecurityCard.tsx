import { Badge, Card, Icon } from '../_components/ui';

const FACTORS = [
  {
    icon: 'shield' as const,
    title: 'Authenticator app',
    text: 'Six-digit codes from an app such as 1Password, Google Authenticator or Authy.',
  },
  {
    icon: 'key' as const,
    title: 'Passkeys',
    text: 'Sign in with your fingerprint, face or device PIN instead of a password.',
  },
  {
    icon: 'lock' as const,
    title: 'Recovery codes',
    text: 'Single-use codes for when your phone is not at hand.',
  },
];

/**
 * Second factors: a placeholder until two-step verification and passkeys are built
 * (docs/contract.md section 9). It says so, and offers nothing that does not work.
 */
export function SecurityCard() {
  return (
    <Card
      id="security"
      title={
        <span className="flex items-center gap-2">
          Second factors <Badge tone="accent">Coming soon</Badge>
        </span>
      }
      description="Two-step verification and passkeys are coming. Until then your account is protected by your password and the sign-in limits."
    >
      <ul className="grid gap-3 sm:grid-cols-3" data-testid="second-factors">
        {FACTORS.map((factor) => (
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
