const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration as whole seconds (`300`) or with a unit (`"5m"`, `"1d"`, `"30s"`, `"12h"`). */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd'}`;

/**
 * Converts a {@link Duration} to whole seconds, or returns `null` when it is not one.
 * @example parseDurationSeconds('5m') // 300
 */
export function parseDurationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(value);
  if (!match) return null;
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}
