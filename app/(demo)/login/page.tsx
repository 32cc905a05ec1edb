import { Suspense } from 'react';
import { LoginForm } from '../_components/LoginForm';

export default function LoginPage() {
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <Suspense>
        <LoginForm />
      </Suspense>
    </section>
  );
}
