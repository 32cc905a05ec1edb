'use client';

import { useState, type FormEvent, type ReactNode } from 'react';
import {
  useAuth,
  type AccountInfo,
  type AuthClientErrorInfo,
  type FactorConfirmation,
  type TotpSetup,
} from '@/client';
import { describeError, fieldErrorsOf } from '../_components/messages';
import { Alert, Badge, Button, Field, Icon } from '../_components/ui';

/** What the card shows: from the account's `mfa` field, then from what this page did. */
type Step =
  | { name: 'off' }
  | { name: 'password' }
  | { name: 'scan'; setup: TotpSetup }
  | { name: 'codes'; codes: string[]; fresh: 'enabled' | 'regenerated' }
  | { name: 'on' }
  | { name: 'confirm'; action: 'disable' | 'regenerate' };

/** The secret in groups of four, as authenticator apps show it. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The server's QR code as an image: an SVG document in an <img> runs no script and no markup. */
function qrSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function errorText(error: AuthClientErrorInfo, fields: readonly string[]): string | null {
  const { byField, other } = fieldErrorsOf(error, fields);
  if (Object.keys(byField).length > 0) return null;
  return other.length > 0 ? other.join(' ') : describeError(error);
}

/**
 * Two-step verification with an authenticator app (docs/second-factors.md): turn on (password →
 * QR code and secret → first code → the ten recovery codes, shown once), then the status, the
 * recovery codes left, new recovery codes, turn off.
 */
export function TotpCard({ account }: { account: AccountInfo | null }) {
  const { setupTotp, confirmTotp, disableTotp, regenerateRecoveryCodes } = useAuth();
  // Until this page changes something, the card follows the account's state (it arrives after
  // the first render); then it follows what the server answered here.
  const [changed, setStep] = useState<Step | null>(null);
  const [changedLeft, setLeft] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AuthClientErrorInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const hasPassword = account?.has_password !== false;
  const step: Step | null = changed ?? (account ? { name: account.mfa.totp ? 'on' : 'off' } : null);
  const left = changedLeft ?? account?.mfa.recovery_codes_left ?? null;

  const go = (next: Step) => {
    setError(null);
    setNotice(null);
    setStep(next);
  };

  async function run<T>(
    call: () => Promise<{ ok: true; value: T } | { ok: false; error: AuthClientErrorInfo }>,
    then: (value: T) => void,
  ) {
    setBusy(true);
    setError(null);
    const result = await call();
    setBusy(false);
    if (result.ok) then(result.value);
    else setError(result.error);
  }

  function startSetup(password?: string) {
    void run(
      () => setupTotp(password),
      (setup) => go({ name: 'scan', setup }),
    );
  }

  function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    startSetup(String(new FormData(event.currentTarget).get('totp_password') ?? ''));
  }

  function onConfirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('totp_code') ?? '');
    void run(
      () => confirmTotp(code),
      ({ recoveryCodes }) => {
        setLeft(recoveryCodes.length);
        go({ name: 'codes', codes: recoveryCodes, fresh: 'enabled' });
      },
    );
  }

  function onChange(action: 'disable' | 'regenerate', event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const by = String(form.get('confirm_with') ?? 'password');
    const value = String(form.get('confirm_value') ?? '');
    const confirmation: FactorConfirmation = by === 'code' ? { code: value } : { password: value };
    if (action === 'disable')
      void run(
        () => disableTotp(confirmation),
        () => {
          setLeft(0);
          go({ name: 'off' });
          setNotice('Two-step verification is off. You sign in with your password alone.');
        },
      );
    else
      void run(
        () => regenerateRecoveryCodes(confirmation),
        ({ recoveryCodes }) => {
          setLeft(recoveryCodes.length);
          go({ name: 'codes', codes: recoveryCodes, fresh: 'regenerated' });
        },
      );
  }

  const on = step?.name === 'on' || step?.name === 'confirm' || step?.name === 'codes';
  return (
    <div
      className="rounded-xl p-4 ring-1 ring-zinc-200 ring-inset sm:p-5 dark:ring-zinc-800"
      data-testid="totp-card"
    >
      <div className="flex items-start gap-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-accent-50 text-accent-600 ring-1 ring-accent-100 dark:bg-accent-950 dark:text-accent-300 dark:ring-accent-900">
          <Icon name="shield" className="size-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="text-sm font-semibold text-zinc-900 dark:text-white">
              Authenticator app
            </h3>
            {step && (
              <Badge tone={on ? 'success' : 'neutral'} data-testid="totp-status">
                {on ? 'On' : 'Off'}
              </Badge>
            )}
          </div>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            Six-digit codes from an app such as 1Password, Google Authenticator or Authy, asked for
            after your password.
          </p>
        </div>
      </div>

      <div className="mt-5 space-y-5">
        {!step && <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>}

        {step?.name === 'off' && (
          <>
            {notice && <Alert tone="success">{notice}</Alert>}
            <Button
              onClick={() => (hasPassword ? go({ name: 'password' }) : startSetup())}
              busy={busy}
            >
              Turn on
            </Button>
            {error && <Alert tone="error">{errorText(error, [])}</Alert>}
          </>
        )}

        {step?.name === 'password' && (
          <form onSubmit={onPassword} className="space-y-5">
            <Field
              id="totp_password"
              label="Your password"
              type="password"
              autoComplete="current-password"
              required
              hint="Confirm it is you before adding a way to sign in."
              errors={fieldErrorsOf(error, ['password']).byField.password}
              className="sm:max-w-sm"
            />
            {error && errorText(error, ['password']) && (
              <Alert tone="error">{errorText(error, ['password'])}</Alert>
            )}
            <Actions>
              <Button variant="ghost" onClick={() => go({ name: 'off' })}>
                Cancel
              </Button>
              <Button type="submit" busy={busy}>
                Continue
              </Button>
            </Actions>
          </form>
        )}

        {step?.name === 'scan' && (
          <form onSubmit={onConfirm} className="space-y-5" data-testid="totp-setup">
            <ol className="space-y-5 text-sm text-zinc-700 dark:text-zinc-300">
              <li className="flex flex-col gap-4 sm:flex-row sm:items-start">
                {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL, nothing to optimise */}
                <img
                  src={qrSource(step.setup.qrSvg)}
                  alt="QR code to scan with your authenticator app"
                  width={176}
                  height={176}
                  className="size-44 shrink-0 self-center rounded-lg bg-white p-2 ring-1 ring-zinc-200 sm:self-start dark:ring-zinc-700"
                  data-testid="totp-qr"
                />
                <div className="min-w-0 space-y-3">
                  <p>
                    <span className="font-semibold text-zinc-900 dark:text-white">1. Scan</span> the
                    QR code with your authenticator app.
                  </p>
                  <div>
                    <p>Can’t scan it? Enter this key in the app instead:</p>
                    <p className="mt-2 flex flex-wrap items-center gap-2">
                      <code
                        className="rounded-lg bg-zinc-100 px-3 py-2 font-mono text-sm break-all text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100"
                        data-testid="totp-secret"
                      >
                        {grouped(step.setup.secret)}
                      </code>
                      <CopyButton text={step.setup.secret} label="Copy key" />
                    </p>
                  </div>
                </div>
              </li>
              <li>
                <p>
                  <span className="font-semibold text-zinc-900 dark:text-white">2. Enter</span> the
                  six-digit code the app shows.
                </p>
                <Field
                  id="totp_code"
                  label="Code from the app"
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  autoCapitalize="none"
                  spellCheck={false}
                  maxLength={12}
                  placeholder="123 456"
                  required
                  errors={fieldErrorsOf(error, ['code']).byField.code}
                  className="mt-3 sm:max-w-xs"
                />
              </li>
            </ol>
            {error && errorText(error, ['code']) && (
              <Alert tone="error">{errorText(error, ['code'])}</Alert>
            )}
            <Actions>
              <Button variant="ghost" onClick={() => go({ name: 'off' })}>
                Cancel
              </Button>
              <Button type="submit" busy={busy}>
                Turn on
              </Button>
            </Actions>
          </form>
        )}

        {step?.name === 'codes' && (
          <div className="space-y-5" data-testid="recovery-codes">
            <Alert
              tone="warning"
              title={
                step.fresh === 'enabled'
                  ? 'Two-step verification is on. Save your recovery codes'
                  : 'Your new recovery codes'
              }
            >
              <p>
                If you lose your phone, each of these codes signs you in once. This is the only time
                they are shown: keep them somewhere safe, such as a password manager.
                {step.fresh === 'regenerated' && ' Your old codes no longer work.'}
              </p>
            </Alert>
            <ul className="grid grid-cols-2 gap-2 rounded-xl bg-zinc-50 p-4 font-mono text-sm text-zinc-900 ring-1 ring-zinc-200 ring-inset sm:grid-cols-2 sm:gap-x-8 dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-800">
              {step.codes.map((code) => (
                <li key={code} data-testid="recovery-code" className="text-center sm:text-left">
                  {code}
                </li>
              ))}
            </ul>
            <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
              <div className="flex flex-wrap gap-3">
                <CopyButton text={step.codes.join('\n')} label="Copy codes" />
                <Button variant="secondary" onClick={() => downloadCodes(step.codes)}>
                  Download .txt
                </Button>
              </div>
              <Button onClick={() => go({ name: 'on' })}>I have saved them</Button>
            </div>
          </div>
        )}

        {(step?.name === 'on' || step?.name === 'confirm') && (
          <>
            <dl className="grid gap-3 text-sm sm:grid-cols-2">
              <div className="rounded-lg bg-zinc-50 px-4 py-3 dark:bg-zinc-950">
                <dt className="text-zinc-500 dark:text-zinc-400">Status</dt>
                <dd className="mt-0.5 font-medium text-zinc-900 dark:text-white">
                  On: a code is asked for after your password
                </dd>
              </div>
              <div className="rounded-lg bg-zinc-50 px-4 py-3 dark:bg-zinc-950">
                <dt className="text-zinc-500 dark:text-zinc-400">Recovery codes</dt>
                <dd
                  className={`mt-0.5 font-medium ${left !== null && left <= 3 ? 'text-amber-700 dark:text-amber-300' : 'text-zinc-900 dark:text-white'}`}
                  data-testid="recovery-codes-left"
                >
                  {left === null ? '—' : `${left} of 10 left`}
                </dd>
              </div>
            </dl>
            {left !== null && left <= 3 && (
              <Alert tone="warning">
                {left === 0
                  ? 'You have no recovery codes left. Make new ones so you can still sign in without your phone.'
                  : 'You are running out of recovery codes. Make new ones soon.'}
              </Alert>
            )}
            {step.name === 'on' ? (
              <Actions>
                <Button
                  variant="secondary"
                  onClick={() => go({ name: 'confirm', action: 'regenerate' })}
                >
                  New recovery codes
                </Button>
                {/* Neutral here: the red button is the confirmation's, where turning off happens. */}
                <Button
                  variant="secondary"
                  onClick={() => go({ name: 'confirm', action: 'disable' })}
                >
                  Turn off
                </Button>
              </Actions>
            ) : (
              <ConfirmForm
                key={step.action}
                action={step.action}
                hasPassword={hasPassword}
                busy={busy}
                error={error}
                onSubmit={(event) => onChange(step.action, event)}
                onCancel={() => go({ name: 'on' })}
              />
            )}
          </>
        )}
      </div>
    </div>
  );
}

function Actions({ children }: { children: ReactNode }) {
  return <div className="flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">{children}</div>;
}

/** Confirms turning off or new recovery codes: the password or a current code from the app. */
function ConfirmForm({
  action,
  hasPassword,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  action: 'disable' | 'regenerate';
  hasPassword: boolean;
  busy: boolean;
  error: AuthClientErrorInfo | null;
  onSubmit(event: FormEvent<HTMLFormElement>): void;
  onCancel(): void;
}) {
  const [by, setBy] = useState<'password' | 'code'>(hasPassword ? 'password' : 'code');
  const field = by === 'password' ? 'password' : 'code';
  const text = error && errorText(error, [field]);
  return (
    <form
      onSubmit={onSubmit}
      className="space-y-5 border-t border-zinc-100 pt-5 dark:border-zinc-800"
    >
      <p className="text-sm font-medium text-zinc-900 dark:text-white">
        {action === 'disable'
          ? 'Turn off two-step verification? Your recovery codes stop working too.'
          : 'Make ten new recovery codes? The old ones stop working.'}
      </p>
      <input type="hidden" name="confirm_with" value={by} />
      <Field
        key={by}
        id="confirm_value"
        label={by === 'password' ? 'Your password' : 'Code from the app'}
        type={by === 'password' ? 'password' : 'text'}
        autoComplete={by === 'password' ? 'current-password' : 'one-time-code'}
        inputMode={by === 'password' ? undefined : 'numeric'}
        required
        errors={fieldErrorsOf(error, [field]).byField[field]}
        className="sm:max-w-sm"
      />
      {hasPassword && (
        <button
          type="button"
          className="text-sm font-medium text-accent-600 underline-offset-4 hover:underline dark:text-accent-400"
          onClick={() => setBy(by === 'password' ? 'code' : 'password')}
        >
          {by === 'password' ? 'Use a code from the app instead' : 'Use your password instead'}
        </button>
      )}
      {text && <Alert tone="error">{text}</Alert>}
      <Actions>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant={action === 'disable' ? 'danger' : 'primary'} busy={busy}>
          {action === 'disable' ? 'Turn off' : 'Make new codes'}
        </Button>
      </Actions>
    </form>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 2_000);
          },
          () => setCopied(false),
        )
      }
    >
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </Button>
  );
}

/** Saves the codes as a text file (nothing leaves the browser). */
function downloadCodes(codes: string[]) {
  const text = [
    `Recovery codes for ${window.location.host}`,
    'Each code signs you in once, in place of a code from your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'recovery-codes.txt';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
