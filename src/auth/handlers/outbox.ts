import { after } from 'next/server';
import type { AuthContext } from '../context';
import { deliverOutbox, type Outbox } from '../accounts/mail';
import type { ClientInfo } from '../client-info';
import { respond } from './respond';

/**
 * The 202 of the endpoints that mail: the answer goes out first, the mail after it (Next's
 * `after()`, which keeps a serverless function alive until it is done). So a slow or failing
 * mail server never holds the answer, and the answer for an address with an account (mail sent)
 * and without one (nothing sent) take the same time (docs/contract.md section 8).
 */
export function acceptedWithMail(
  ctx: AuthContext,
  outbox: Outbox,
  client: ClientInfo,
  detail: string,
): Response {
  if (outbox.length) after(() => deliverOutbox(ctx, outbox, client));
  return respond({ detail }, { status: 202 });
}
