import { composeMessage, type MailMessage } from './message';

/**
 * The kit's mails, in plain words. Each says who it is for and what to do, names the site by
 * its host (from AUTH_APP_URL), says how long a link lives, and tells the reader what it means
 * when they asked for nothing: a mail may reach someone who never used the site.
 */

/** Said of a lifetime in seconds: "24 hours", "30 minutes", "90 seconds". */
export function describeLifetime(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds % 86_400 === 0 && seconds >= 172_800) return unit(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** What every template knows: the recipient, the site's name, and the pages it links to. */
interface Common {
  to: string;
  /** The site's host, such as app.example.com. */
  site: string;
  username: string;
}

/** After sign-up, or a resend: the link that proves the address. */
export function verifyEmailMail(
  input: Common & { link: string; lifetimeSeconds: number },
): MailMessage {
  return composeMessage({
    to: input.to,
    subject: `Confirm your e-mail address for ${input.site}`,
    blocks: [
      `Hello ${input.username},`,
      `please confirm that this is your e-mail address by opening the link below. It works once, within ${describeLifetime(input.lifetimeSeconds)}.`,
      { label: 'Confirm your e-mail address', url: input.link },
      `If you did not create an account at ${input.site}, ignore this mail: without the confirmation nobody can use the account.`,
    ],
  });
}

/**
 * A sign-up with an address that already has an account: the owner hears the truth, and the
 * one who tried learns nothing from the answer (docs/contract.md section 8).
 */
export function accountExistsMail(
  input: Common & { resetLink: string | null; lifetimeSeconds: number; signInUrl: string },
): MailMessage {
  return composeMessage({
    to: input.to,
    subject: `You already have an account at ${input.site}`,
    blocks: [
      `Hello ${input.username},`,
      `someone tried to create a new account at ${input.site} with this e-mail address. You already have one, with the username "${input.username}", so no second account was created.`,
      { label: 'Sign in', url: input.signInUrl },
      ...(input.resetLink
        ? [
            `If you forgot your password, set a new one with the link below. It works once, within ${describeLifetime(input.lifetimeSeconds)}.`,
            { label: 'Reset your password', url: input.resetLink },
          ]
        : []),
      'If it was not you, you can ignore this mail: nothing about your account changed.',
    ],
  });
}

/** A password-reset request for an address with an account. */
export function passwordResetMail(
  input: Common & { link: string; lifetimeSeconds: number },
): MailMessage {
  return composeMessage({
    to: input.to,
    subject: `Reset your password for ${input.site}`,
    blocks: [
      `Hello ${input.username},`,
      `someone asked to reset the password of your account at ${input.site}. Set a new password with the link below. It works once, within ${describeLifetime(input.lifetimeSeconds)}, and signs you out everywhere.`,
      { label: 'Set a new password', url: input.link },
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
  });
}

/** An e-mail change, to the new address: the link that makes the change. */
export function emailChangeConfirmMail(
  input: Common & { link: string; lifetimeSeconds: number },
): MailMessage {
  return composeMessage({
    to: input.to,
    subject: `Confirm your new e-mail address for ${input.site}`,
    blocks: [
      `Hello ${input.username},`,
      `you asked to use this e-mail address for your account at ${input.site}. Open the link below to confirm it; until then your old address stays. The link works once, within ${describeLifetime(input.lifetimeSeconds)}.`,
      { label: 'Confirm your new e-mail address', url: input.link },
      'If you did not ask for this, ignore this mail and nothing changes.',
    ],
  });
}

/** An e-mail change, to the old address: a notice, so a takeover does not go unseen. */
export function emailChangeNoticeMail(
  input: Common & { newEmail: string; forgotPasswordUrl: string },
): MailMessage {
  return composeMessage({
    to: input.to,
    subject: `Your e-mail address at ${input.site} is being changed`,
    blocks: [
      `Hello ${input.username},`,
      `someone signed in to your account at ${input.site} asked to change its e-mail address to ${input.newEmail}. The change happens only when the link sent to that address is opened.`,
      'If this was you, there is nothing to do. If it was not, change your password now: whoever asked knows it, or has a signed-in device of yours.',
      { label: 'Reset your password', url: input.forgotPasswordUrl },
    ],
  });
}

/**
 * An e-mail change to an address that already has an account, sent to that address: the one who
 * asked gets the same answer as for a free address, the address's owner hears the truth.
 */
export function emailChangeTakenMail(
  input: Omit<Common, 'username'> & { signInUrl: string; forgotPasswordUrl: string },
): MailMessage {
  return composeMessage({
    to: input.to,
    subject: `Someone tried to use your e-mail address at ${input.site}`,
    blocks: [
      'Hello,',
      `someone signed in to another account at ${input.site} asked to move that account to this e-mail address. This address already belongs to an account, so nothing changed.`,
      { label: 'Sign in', url: input.signInUrl },
      { label: 'Reset your password', url: input.forgotPasswordUrl },
      'If you know nothing of this, you can ignore this mail.',
    ],
  });
}
