'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useAuth } from '@/client';

/** Where the hosted UI sends the browser back: completes the PKCE exchange, then goes on. */
export default function CallbackPage() {
  const { completeCognitoSignIn } = useAuth();
  const router = useRouter();
  const started = useRef(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (started.current) return; // a code can be redeemed once: React may run effects twice in development
    started.current = true;
    void completeCognitoSignIn().then((result) => {
      if (result.ok) router.replace(result.returnTo === '/' ? '/dashboard' : result.returnTo);
      else setError(result.error.detail);
    });
  }, [completeCognitoSignIn, router]);

  return (
    <section className="narrow">
      <h1>Signing you in…</h1>
      {error && (
        <p role="alert" className="error">
          Sign-in through Cognito failed: {error} <Link href="/login">Try again</Link>
        </p>
      )}
    </section>
  );
}
