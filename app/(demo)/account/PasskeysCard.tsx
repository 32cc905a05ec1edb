'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  describePasskeyError,
  isPasskeyCancel,
  needsReauthentication,
  useAuth,
  type AccountInfo,
  type AuthClientErrorInfo,
  type AuthResult,
  type PasskeyInfo,
} from '@/client';
import { Alert, Badge, Button, Card, Field, Icon, Spinner } from '../_components/ui';
import { relativeTime } from './devices';

/** What waits for the user to confirm it is them (the server asked for a recent sign-in). */
type Pending = { kind: 'add'; name: string } | { kind: 'remove'; passkey: PasskeyInfo };

type Message = { tone: 'success' | 'info' | 'error'; text: string };

function dateOf(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at)
    ? 'unknown'
    : new Date(at).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/**
 * The user's passkeys (docs/contract.md section 9): the list with each one's name, when it was
 * added and last used, "Add a passkey" (an optional name, then the browser's own prompt) and
 * "Remove" with a confirmation. Adding and removing are sensitive: without a recent sign-in the
 * server asks for the password first, and the card asks for it (POST /auth/reauthenticate/),
 * then does what was asked. `offered`: whether this server offers passkeys at all.
 */
export function PasskeysCard({
  offered,
  account,
}: {
  offered: boolean;
  account: AccountInfo | null;
}) {
  const {
    status,
    passkeysSupported,
    listPasskeys,
    registerPasskey,
    deletePasskey,
    reauthenticate,
  } = useAuth();
  const [passkeys, setPasskeys] = useState<PasskeyInfo[] | null>(null);
  const [loadError, setLoadError] = useState<AuthClientErrorInfo | null>(null);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [confirmingRemove, setConfirmingRemove] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [reauthError, setReauthError] = useState<AuthClientErrorInfo | null>(null);

  const show = useCallback((result: AuthResult<PasskeyInfo[]>) => {
    if (result.ok) {
      setPasskeys(result.value);
      setLoadError(null);
    } else setLoadError(result.error);
  }, []);
  const reload = useCallback(async () => show(await listPasskeys()), [listPasskeys, show]);

  const signedIn = status === 'authenticated';
  useEffect(() => {
    if (!signedIn) return;
    let current = true;
    void listPasskeys().then((result) => current && show(result));
    return () => {
      current = false;
    };
  }, [signedIn, listPasskeys, show]);

  /** Runs the add or the removal; a request for a recent sign-in opens the confirmation. */
  async function run(action: Pending): Promise<void> {
    setBusy(action.kind === 'add' ? 'add' : action.passkey.id);
    setMessage(null);
    if (action.kind === 'add') {
      const result = await registerPasskey(action.name);
      setBusy(null);
      if (result.ok) {
        setAdding(false);
        setName('');
        setMessage({
          tone: 'success',
          text: `“${result.value.name}” is added. Next time, sign in with it instead of your password.`,
        });
        await reload();
      } else failed(action, result.error, 'register');
      return;
    }
    const result = await deletePasskey(action.passkey.id);
    setBusy(null);
    if (result.ok || result.error.code === 'not_found') {
      setConfirmingRemove(null);
      setMessage({ tone: 'success', text: `“${action.passkey.name}” is removed.` });
      await reload();
    } else failed(action, result.error, 'remove');
  }

  function failed(action: Pending, error: AuthClientErrorInfo, verb: 'register' | 'remove') {
    if (needsReauthentication(error)) {
      setPending(action);
      setReauthError(null);
      return;
    }
    setMessage({
      tone: isPasskeyCancel(error) ? 'info' : 'error',
      text: describePasskeyError(error, verb),
    });
  }

  async function confirm(proof: { password: string } | { passkey: true }) {
    if (!pending) return;
    setBusy('confirm');
    setReauthError(null);
    const result = await reauthenticate(proof);
    setBusy(null);
    if (!result.ok) {
      setReauthError(result.error);
      return;
    }
    const action = pending;
    setPending(null);
    await run(action);
  }

  function onConfirmPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('passkey_password') ?? '');
    void confirm({ password });
  }

  function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run({ kind: 'add', name });
  }

  const hasPassword = account?.has_password !== false;
  const canAdd = offered && passkeysSupported;
  const reauthPasswordErrors =
    reauthError?.code === 'invalid_request' ? (reauthError.errors?.password ?? null) : null;

  return (
    <Card
      id="passkeys"
      headingLevel={3}
      title={
        <span className="flex items-center gap-2">
          Passkeys
          {passkeys && passkeys.length > 0 && <Badge tone="success">On</Badge>}
        </span>
      }
      description="Sign in with your fingerprint, face or device PIN instead of a password. A passkey works only on this site, so it cannot be phished."
      footer={
        canAdd && !adding && !pending ? (
          <Button
            variant="secondary"
            onClick={() => {
              setAdding(true);
              setMessage(null);
            }}
          >
            <Icon name="key" className="size-4" />
            Add a passkey
          </Button>
        ) : undefined
      }
    >
      <div className="space-y-4">
        {!offered && (
          <Alert tone="info" title="Passkeys are not available on this server">
            <p>
              Passkeys need the app&rsquo;s address (<code>AUTH_APP_URL</code>) to be a domain name,
              such as <code>https://app.example.com</code> or <code>localhost</code>.
            </p>
          </Alert>
        )}
        {offered && !passkeysSupported && (
          <Alert tone="info">
            This browser cannot create passkeys. Try another browser or device.
          </Alert>
        )}
        {message && (
          <Alert tone={message.tone} id="passkeys-message">
            {message.text}
          </Alert>
        )}
        {loadError && <Alert tone="error">{describePasskeyError(loadError, 'remove')}</Alert>}

        {pending && (
          <div className="space-y-4 rounded-xl bg-zinc-50 p-4 ring-1 ring-zinc-200 dark:bg-zinc-950/40 dark:ring-zinc-800">
            <div>
              <p className="text-sm font-semibold text-zinc-900 dark:text-white">
                Confirm it&rsquo;s you
              </p>
              <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
                {pending.kind === 'add'
                  ? 'Adding a way to sign in needs a recent sign-in.'
                  : `Removing “${pending.passkey.name}” needs a recent sign-in.`}{' '}
                {hasPassword
                  ? 'Enter your password to go on.'
                  : 'Confirm with one of your passkeys to go on.'}
              </p>
            </div>
            {hasPassword && (
              <form onSubmit={onConfirmPassword} className="space-y-4" id="passkey-confirm">
                <Field
                  id="passkey_password"
                  label="Your password"
                  type="password"
                  autoComplete="current-password"
                  required
                  errors={reauthPasswordErrors}
                  className="sm:max-w-sm"
                />
              </form>
            )}
            {reauthError && !reauthPasswordErrors && (
              <Alert tone={isPasskeyCancel(reauthError) ? 'info' : 'error'}>
                {describePasskeyError(reauthError, 'confirm')}
              </Alert>
            )}
            <div className="flex flex-col-reverse gap-3 sm:flex-row sm:flex-wrap">
              <Button
                variant="ghost"
                disabled={busy === 'confirm'}
                onClick={() => {
                  setPending(null);
                  setReauthError(null);
                }}
              >
                Cancel
              </Button>
              {passkeysSupported && passkeys && passkeys.length > 0 && (
                <Button
                  variant="secondary"
                  disabled={busy === 'confirm'}
                  onClick={() => void confirm({ passkey: true })}
                >
                  Use a passkey instead
                </Button>
              )}
              {hasPassword && (
                <Button type="submit" form="passkey-confirm" busy={busy === 'confirm'}>
                  Confirm
                </Button>
              )}
            </div>
          </div>
        )}

        {adding && !pending && (
          <form
            onSubmit={onAdd}
            className="space-y-4 rounded-xl bg-zinc-50 p-4 ring-1 ring-zinc-200 dark:bg-zinc-950/40 dark:ring-zinc-800"
          >
            <Field
              id="passkey_name"
              label="Name"
              optional
              maxLength={100}
              autoComplete="off"
              placeholder="Work laptop"
              value={name}
              onChange={(event) => setName(event.target.value)}
              hint="So you can tell your passkeys apart here. Your browser asks you to confirm next."
              className="sm:max-w-sm"
            />
            <div className="flex flex-col-reverse gap-3 sm:flex-row">
              <Button
                variant="ghost"
                disabled={busy === 'add'}
                onClick={() => {
                  setAdding(false);
                  setName('');
                }}
              >
                Cancel
              </Button>
              <Button type="submit" busy={busy === 'add'}>
                Create passkey
              </Button>
            </div>
          </form>
        )}

        {!passkeys && !loadError && (
          <p role="status" className="flex items-center gap-3 text-sm text-zinc-500">
            <Spinner /> Loading your passkeys…
          </p>
        )}
        {passkeys && passkeys.length === 0 && (
          <div className="flex items-center gap-4 rounded-xl border border-dashed border-zinc-300 p-4 dark:border-zinc-700">
            <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">
              <Icon name="key" className="size-5" />
            </span>
            <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="no-passkeys">
              No passkeys yet. {canAdd ? 'Add one to sign in without typing your password.' : null}
            </p>
          </div>
        )}
        {passkeys && passkeys.length > 0 && (
          <ul
            className="divide-y divide-zinc-100 rounded-xl ring-1 ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800"
            data-testid="passkeys"
          >
            {passkeys.map((passkey) => (
              <li key={passkey.id} className="px-4 py-3.5" data-testid="passkey">
                <div className="flex flex-wrap items-center gap-x-4 gap-y-3">
                  <span className="hidden size-10 shrink-0 items-center justify-center rounded-xl bg-accent-50 text-accent-600 sm:flex dark:bg-accent-950 dark:text-accent-300">
                    <Icon name="key" className="size-5" />
                  </span>
                  <div className="min-w-0 flex-1">
                    <p
                      className="truncate font-medium text-zinc-900 dark:text-white"
                      data-testid="passkey-name"
                    >
                      {passkey.name}
                    </p>
                    <p className="text-sm text-zinc-500 dark:text-zinc-400">
                      <span className="block sm:inline">Added {dateOf(passkey.created)}</span>
                      <span className="hidden sm:inline"> · </span>
                      <span className="block sm:inline" data-testid="passkey-last-used">
                        {passkey.last_used
                          ? `Last used ${relativeTime(passkey.last_used)}`
                          : 'Never used yet'}
                      </span>
                    </p>
                  </div>
                  {confirmingRemove !== passkey.id && (
                    <Button
                      variant="secondary"
                      disabled={busy !== null || pending !== null}
                      onClick={() => {
                        setConfirmingRemove(passkey.id);
                        setMessage(null);
                      }}
                    >
                      Remove
                    </Button>
                  )}
                </div>
                {confirmingRemove === passkey.id && (
                  <div
                    role="group"
                    aria-label={`Remove ${passkey.name}`}
                    className="mt-3 flex flex-col gap-3 rounded-lg bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200 ring-inset sm:flex-row sm:items-center dark:bg-red-950/40 dark:text-red-200 dark:ring-red-900"
                  >
                    <p className="flex-1">
                      Remove this passkey? You will not be able to sign in with it any more.
                    </p>
                    <div className="flex flex-col-reverse gap-2 sm:flex-row">
                      <Button
                        variant="ghost"
                        disabled={busy === passkey.id}
                        onClick={() => setConfirmingRemove(null)}
                      >
                        Keep it
                      </Button>
                      <Button
                        variant="danger"
                        busy={busy === passkey.id}
                        disabled={pending !== null}
                        onClick={() => void run({ kind: 'remove', passkey })}
                      >
                        Remove passkey
                      </Button>
                    </div>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
