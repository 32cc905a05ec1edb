import type { Metadata } from 'next';
import { VerifyEmail } from './VerifyEmail';

export const metadata: Metadata = { title: 'Confirm your e-mail address' };

export default function VerifyEmailPage() {
  return <VerifyEmail />;
}
