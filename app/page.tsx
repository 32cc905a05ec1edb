export default function HomePage() {
  return (
    <section>
      <h1>The auth kit is running</h1>
      <p>
        Sign-in, refresh, log-off, verify and JWKS endpoints live under <code>/auth</code>; see the
        README for the API.
      </p>
    </section>
  );
}
