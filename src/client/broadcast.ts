/** Messages tabs exchange so that signing in or out in one tab reaches all. */
export type TabMessage = { type: 'signed-in' } | { type: 'signed-out' };

const CHANNEL = 'auth-kit';

/** Opens the cross-tab channel (null where BroadcastChannel is missing); `onMessage` hears the other tabs. */
export function openTabChannel(
  onMessage: (message: TabMessage) => void,
): { post(message: TabMessage): void; close(): void } | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  return { post: (message) => channel.postMessage(message), close: () => channel.close() };
}
