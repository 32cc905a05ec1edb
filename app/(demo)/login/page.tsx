import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoginForm } from '../_components/LoginForm';
import { passkeysOffered } from '../_components/passkeys-offered';
import { SignInDescription } from '../_components/SignInDescription';
import { AuthFrame, Icon, TextLink } from '../_components/ui';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage() {
  const passkeys = await passkeysOffered();
  return (
    <AuthFrame
      icon={<Icon name="lock" />}
      title="Sign in to your account"
      description={
        <SignInDescription>
          {passkeys
            ? 'Welcome back. Use your password or a passkey.'
            : 'Welcome back. Enter your username and password.'}
        </SignInDescription>
      }
      footer={
        <>
          New here? <TextLink href="/sign-up">Create an account</TextLink>
        </>
      }
    >
      <Suspense>
        <LoginForm passkeys={passkeys} />
      </Suspense>
    </AuthFrame>
  );
}
