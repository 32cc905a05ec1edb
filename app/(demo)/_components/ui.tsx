import Link from 'next/link';
import type { ButtonHTMLAttributes, ComponentProps, InputHTMLAttributes, ReactNode } from 'react';

/**
 * The demo's building blocks, styled with Tailwind: cards, buttons, labelled fields with their
 * errors, alerts and badges. No hooks here, so Server and Client Components both use them.
 */

function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(' ');
}

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

const BUTTON_BASE =
  'inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2.5 text-sm font-semibold transition-colors disabled:cursor-not-allowed disabled:opacity-60 sm:py-2';
const BUTTON_VARIANTS: Record<Variant, string> = {
  primary: 'bg-accent-600 text-white shadow-sm hover:bg-accent-500 disabled:hover:bg-accent-600',
  secondary:
    'bg-white text-zinc-900 shadow-sm ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800',
  danger: 'bg-red-600 text-white shadow-sm hover:bg-red-500 disabled:hover:bg-red-600',
  ghost:
    'text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white',
};

/** The class names of a button, for elements that look like one (a link to sign in). */
export function buttonClass(variant: Variant = 'primary', extra?: string): string {
  return cx(BUTTON_BASE, BUTTON_VARIANTS[variant], extra);
}

export function Button({
  variant = 'primary',
  busy = false,
  className,
  children,
  disabled,
  type = 'button',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  return (
    <button
      type={type}
      className={buttonClass(variant, className)}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...props}
    >
      {busy && <Spinner />}
      {children}
    </button>
  );
}

export function ButtonLink({
  variant = 'primary',
  className,
  ...props
}: ComponentProps<typeof Link> & { variant?: Variant }) {
  return <Link className={buttonClass(variant, className)} {...props} />;
}

export function TextLink({ className, ...props }: ComponentProps<typeof Link>) {
  return (
    <Link
      className={cx(
        'font-medium text-accent-600 underline-offset-4 hover:underline dark:text-accent-400',
        className,
      )}
      {...props}
    />
  );
}

export function Spinner({ className }: { className?: string }) {
  return (
    <svg
      className={cx('size-4 animate-spin', className)}
      viewBox="0 0 24 24"
      fill="none"
      aria-hidden="true"
    >
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity="0.25" strokeWidth="4" />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" />
    </svg>
  );
}

export function Card({
  title,
  description,
  children,
  footer,
  tone = 'default',
  id,
  className,
  headingLevel = 2,
}: {
  title?: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  tone?: 'default' | 'danger';
  id?: string;
  className?: string;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section
      id={id}
      aria-labelledby={id && title ? `${id}-title` : undefined}
      className={cx(
        'scroll-mt-24 rounded-2xl bg-white shadow-sm ring-1 dark:bg-zinc-900',
        tone === 'danger'
          ? 'ring-red-200 dark:ring-red-900/60'
          : 'ring-zinc-200 dark:ring-zinc-800',
        className,
      )}
    >
      {(title || description || children) && (
        <div className="p-5 sm:p-6">
          {title && (
            <Heading
              id={id ? `${id}-title` : undefined}
              className={cx(
                'text-base font-semibold',
                tone === 'danger'
                  ? 'text-red-700 dark:text-red-400'
                  : 'text-zinc-900 dark:text-white',
              )}
            >
              {title}
            </Heading>
          )}
          {description && (
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>
          )}
          {children && <div className={title || description ? 'mt-5' : undefined}>{children}</div>}
        </div>
      )}
      {footer && (
        <div
          className={cx(
            'flex flex-wrap items-center justify-end gap-3 rounded-b-2xl border-t px-5 py-3 sm:px-6',
            tone === 'danger'
              ? 'border-red-100 bg-red-50/60 dark:border-red-900/60 dark:bg-red-950/30'
              : 'border-zinc-100 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900/60',
          )}
        >
          {footer}
        </div>
      )}
    </section>
  );
}

/**
 * A labelled input with its hint and its errors, tied together for assistive technology:
 * `aria-invalid` when there is an error, `aria-describedby` naming the hint and the error.
 */
export function Field({
  id,
  label,
  hint,
  errors,
  optional = false,
  className,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & {
  id: string;
  label: string;
  hint?: ReactNode;
  errors?: string[] | null;
  optional?: boolean;
}) {
  const invalid = Boolean(errors && errors.length > 0);
  const described = [hint ? `${id}-hint` : null, invalid ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={className}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium text-zinc-900 dark:text-zinc-100">
          {label}
        </label>
        {optional && <span className="text-xs text-zinc-500 dark:text-zinc-400">Optional</span>}
      </div>
      <input
        id={id}
        name={id}
        aria-invalid={invalid || undefined}
        aria-describedby={described || undefined}
        className={cx(
          'mt-1.5 block w-full rounded-lg border-0 bg-white px-3 py-2.5 text-base text-zinc-900 shadow-sm ring-1 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:outline-none focus:ring-inset sm:py-2 sm:text-sm dark:bg-zinc-950 dark:text-white',
          invalid
            ? 'ring-red-400 focus:ring-red-500 dark:ring-red-700'
            : 'ring-zinc-300 focus:ring-accent-600 dark:ring-zinc-700 dark:focus:ring-accent-500',
        )}
        {...input}
      />
      {hint && (
        <p id={`${id}-hint`} className="mt-1.5 text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      )}
      {invalid && (
        <p id={`${id}-error`} className="mt-1.5 text-sm text-red-600 dark:text-red-400">
          {errors!.join(' ')}
        </p>
      )}
    </div>
  );
}

type Tone = 'error' | 'success' | 'info' | 'warning';

const ALERT_TONES: Record<Tone, string> = {
  error:
    'bg-red-50 text-red-800 ring-red-200 dark:bg-red-950/40 dark:text-red-200 dark:ring-red-900',
  success:
    'bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-950/40 dark:text-emerald-200 dark:ring-emerald-900',
  info: 'bg-accent-50 text-accent-900 ring-accent-200 dark:bg-accent-950/40 dark:text-accent-100 dark:ring-accent-900',
  warning:
    'bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-100 dark:ring-amber-900',
};

const ALERT_ICONS: Record<Tone, ReactNode> = {
  error: (
    <path d="M12 8v5m0 3h.01M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
  ),
  warning: (
    <path d="M12 8v5m0 3h.01M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
  ),
  success: <path d="m8.5 12.5 2.5 2.5 5-5.5M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z" />,
  info: <path d="M12 16v-4m0-4h.01M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z" />,
};

/** A message box: `role="alert"` for errors (read out at once), `status` for the rest. */
export function Alert({
  tone,
  title,
  children,
  id,
  role,
}: {
  tone: Tone;
  title?: ReactNode;
  children?: ReactNode;
  id?: string;
  role?: 'alert' | 'status';
}) {
  return (
    <div
      id={id}
      role={role ?? (tone === 'error' ? 'alert' : 'status')}
      className={cx('flex gap-3 rounded-xl p-4 text-sm ring-1 ring-inset', ALERT_TONES[tone])}
    >
      <svg
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
        className="mt-px size-5 shrink-0"
        aria-hidden="true"
      >
        {ALERT_ICONS[tone]}
      </svg>
      <div className="min-w-0 space-y-1">
        {title && <p className="font-semibold">{title}</p>}
        {children && (
          <div className="space-y-2 [&_a]:font-semibold [&_a]:underline">{children}</div>
        )}
      </div>
    </div>
  );
}

const BADGE_TONES = {
  neutral:
    'bg-zinc-100 text-zinc-700 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700',
  success:
    'bg-emerald-50 text-emerald-700 ring-emerald-200 dark:bg-emerald-950/50 dark:text-emerald-300 dark:ring-emerald-900',
  warning:
    'bg-amber-50 text-amber-800 ring-amber-200 dark:bg-amber-950/50 dark:text-amber-200 dark:ring-amber-900',
  accent:
    'bg-accent-50 text-accent-700 ring-accent-200 dark:bg-accent-950/50 dark:text-accent-300 dark:ring-accent-900',
};

export function Badge({
  tone = 'neutral',
  children,
  ...props
}: { tone?: keyof typeof BADGE_TONES; children: ReactNode } & ComponentProps<'span'>) {
  return (
    <span
      className={cx(
        'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset',
        BADGE_TONES[tone],
      )}
      {...props}
    >
      {children}
    </span>
  );
}

/** The page's title block. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        <h1 className="text-2xl font-bold tracking-tight text-zinc-900 sm:text-3xl dark:text-white">
          {title}
        </h1>
        {description && (
          <p className="mt-2 text-sm text-zinc-600 sm:text-base dark:text-zinc-400">
            {description}
          </p>
        )}
      </div>
      {actions && <div className="flex shrink-0 flex-wrap gap-3">{actions}</div>}
    </div>
  );
}

/** The narrow, centred frame of the sign-in, sign-up and recovery pages. */
export function AuthFrame({
  title,
  description,
  children,
  footer,
  icon,
}: {
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="mx-auto w-full max-w-md py-4 sm:py-10">
      <div className="mb-6 text-center sm:mb-8">
        {icon && (
          <div className="mx-auto mb-4 flex size-12 items-center justify-center rounded-2xl bg-accent-50 text-accent-600 ring-1 ring-accent-100 dark:bg-accent-950 dark:text-accent-300 dark:ring-accent-900">
            {icon}
          </div>
        )}
        <h1 className="text-2xl font-bold tracking-tight text-zinc-900 dark:text-white">{title}</h1>
        {description && (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>
        )}
      </div>
      <div className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 sm:p-8 dark:bg-zinc-900 dark:ring-zinc-800">
        {children}
      </div>
      {footer && (
        <div className="mt-6 text-center text-sm text-zinc-600 dark:text-zinc-400">{footer}</div>
      )}
    </div>
  );
}

/** Small outline icons (24×24, stroke) for headers and empty states. */
export function Icon({ name, className }: { name: keyof typeof ICONS; className?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
      strokeLinecap="round"
      strokeLinejoin="round"
      className={cx('size-6', className)}
      aria-hidden="true"
    >
      {ICONS[name]}
    </svg>
  );
}

const ICONS = {
  lock: (
    <>
      <rect x="4" y="11" width="16" height="10" rx="2" />
      <path d="M8 11V7a4 4 0 0 1 8 0v4" />
    </>
  ),
  mail: (
    <>
      <rect x="3" y="5" width="18" height="14" rx="2" />
      <path d="m3 7 9 6 9-6" />
    </>
  ),
  key: (
    <>
      <circle cx="8" cy="15" r="4" />
      <path d="m10.8 12.2 7.7-7.7M16 7l2 2M18 5l2 2" />
    </>
  ),
  user: (
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0 1 16 0" />
    </>
  ),
  shield: (
    <>
      <path d="M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6l-8-3Z" />
      <path d="m9 12 2 2 4-4" />
    </>
  ),
  check: <path d="m5 12.5 4.5 4.5L19 7.5" />,
  alert: <path d="M12 8v5m0 3h.01M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z" />,
  devices: (
    <>
      <rect x="2" y="4" width="14" height="11" rx="2" />
      <path d="M6 19h6M9 15v4" />
      <rect x="17" y="8" width="5" height="12" rx="1.5" />
    </>
  ),
  code: <path d="m8 8-4 4 4 4M16 8l4 4-4 4M13.5 5l-3 14" />,
  bolt: <path d="M13 3 5 14h6l-1 7 8-11h-6l1-7Z" />,
  arrow: <path d="M5 12h14m-5-5 5 5-5 5" />,
} satisfies Record<string, ReactNode>;
