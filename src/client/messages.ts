/**
 * A wait in words, for people: `Retry-After: 899` is "15 minutes", 42 is "42 seconds", 5400 is
 * "1 hour 30 minutes". Minutes round up, so the user is never told to come back too early.
 * @example `Try again in ${formatWait(error.retryAfter)}.`
 */
export function formatWait(seconds: number | undefined): string {
  if (!seconds || !Number.isFinite(seconds) || seconds <= 0) return 'a moment';
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.ceil(seconds), 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}
