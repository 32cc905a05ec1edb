import type { CaughtMessage } from './message';

/** Decides whether a message is the one a caller waits for. */
export type MessagePredicate = (message: CaughtMessage) => boolean;

interface Waiter {
  predicate: MessagePredicate;
  resolve(message: CaughtMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The messages received so far, in memory and bounded: past `capacity` the oldest is dropped, so a
 * catcher left running for days keeps its memory flat.
 */
export class Inbox {
  /** Oldest first, as received. */
  private readonly stored: CaughtMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  /** Creates an inbox holding at most `capacity` messages. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`The inbox capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Stores a message, dropping the oldest past the capacity, and wakes whoever waits for it. */
  add(message: CaughtMessage): void {
    this.stored.push(message);
    if (this.stored.length > this.capacity)
      this.stored.splice(0, this.stored.length - this.capacity);
    for (const waiter of this.waiters) {
      if (!waiter.predicate(message)) continue;
      this.settle(waiter);
      waiter.resolve(message);
    }
  }

  /** Every stored message, newest first (as the inbox page and the JSON API list them). */
  list(): CaughtMessage[] {
    return [...this.stored].reverse();
  }

  get(id: string): CaughtMessage | undefined {
    return this.stored.find((message) => message.id === id);
  }

  clear(): void {
    this.stored.length = 0;
  }

  /**
   * The oldest stored message matching `predicate`, else the next one to arrive; rejects after
   * `timeoutMs` with an error naming `description` and what the inbox holds instead.
   */
  waitFor(
    predicate: MessagePredicate,
    timeoutMs: number,
    description = 'the predicate',
  ): Promise<CaughtMessage> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      return Promise.reject(
        new Error(`timeoutMs must be a number of milliseconds, got ${timeoutMs}`),
      );
    }
    if (this.closed) return Promise.reject(new Error('The mail catcher is closed'));
    const found = this.stored.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.settle(waiter);
          reject(
            new Error(
              `No mail matching ${description} arrived within ${timeoutMs} ms; ${this.summary()}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Rejects every pending wait; later waits reject at once. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters) {
      this.settle(waiter);
      waiter.reject(new Error('The mail catcher was closed while waiting for mail'));
    }
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }

  /** What the inbox holds, for a timeout message: usually the mail went to another address. */
  private summary(): string {
    if (this.stored.length === 0) return 'the inbox is empty';
    const recent = this.list()
      .slice(0, 5)
      .map((m) => `#${m.id} to ${m.to.join(', ') || '(nobody)'} "${m.subject}"`);
    const more = this.stored.length > recent.length ? `, … (${this.stored.length} in all)` : '';
    return `the inbox holds ${recent.join(', ')}${more}`;
  }
}
