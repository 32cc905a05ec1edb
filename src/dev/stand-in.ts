/** What the development stand-ins (the local IdP, the mail catcher) share as command-line programs. */

/** Stops a running stand-in on SIGINT or SIGTERM: says so, closes it, and exits. */
export function stopOnSignals(name: string, close: () => Promise<void>): void {
  const stop = (signal: string) => {
    console.log(`\n${signal} received, stopping the ${name}.`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Runs a stand-in's `main`, and turns a failure to start into one line on stderr (`[tag] ...`,
 * with `portHint` after a port already in use) and exit code 1.
 */
export function runStandIn(tag: string, main: () => Promise<void>, portHint = ''): void {
  main().catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `Port already in use (${(error as Error).message})${portHint}`
        : String((error as Error).message ?? error);
    console.error(`[${tag}] ${message}`);
    process.exit(1);
  });
}
