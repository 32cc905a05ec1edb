/** The auth events a kit server logs (one JSON line each), as the HTTP suites read them. */
import type { AuthEvent } from '@/auth/events';
import { sleep } from './requests';

/** One structured auth event line of the server log (the event as `onEvent` receives it). */
export interface LoggedEvent {
  level: string;
  msg: string;
  event: AuthEvent;
}

/** The auth events the server logged, in order (one JSON line each). */
export function loggedEvents(output: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(trimmed) as LoggedEvent;
      if (parsed.msg === 'auth event' && parsed.event) events.push(parsed);
    } catch {
      /* not a JSON line */
    }
  }
  return events;
}

/** Waits until the server log shows events matching a predicate (log lines flush asynchronously). */
export async function waitForEvents(
  output: () => string,
  predicate: (events: LoggedEvent[]) => boolean,
  timeoutMs = 3000,
): Promise<LoggedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = loggedEvents(output());
    if (predicate(events) || Date.now() > deadline) return events;
    await sleep(50);
  }
}
