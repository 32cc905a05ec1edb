'use client';

import { AuthFrame, Button, ButtonLink, Icon } from './_components/ui';

/**
 * What a demo page shows when it fails in the browser: its code could not be loaded (offline, or
 * a deploy replaced the chunks the page was built with; the code step and the passkey button
 * load on demand) or a bug. A sentence and a way on, never a stack trace; reloading fetches the
 * current code.
 */
export default function DemoError({ reset }: { error: Error; reset: () => void }) {
  return (
    <AuthFrame
      icon={<Icon name="alert" />}
      title="Something went wrong"
      description="This page could not be shown. Check your connection, then try again."
    >
      <div className="grid gap-3 sm:grid-cols-2" data-testid="page-error">
        <Button
          onClick={() => {
            reset();
            window.location.reload();
          }}
        >
          Try again
        </Button>
        <ButtonLink href="/" variant="secondary">
          Back to home
        </ButtonLink>
      </div>
    </AuthFrame>
  );
}
