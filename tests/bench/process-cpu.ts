import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: fields start after the closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU time (user + system, in ms) used so far by a process and all its descendants (Linux /proc). */
export function processTreeCpuMs(rootPid: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) {
      parents.set(pid, s.ppid);
      ticks.set(pid, s.ticks);
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid; p; p = parents.get(p)) {
      if (p === rootPid) {
        total += t;
        break;
      }
    }
  }
  return (total * 1000) / TICKS_PER_SECOND;
}

/** CPU ticks so far of each PostgreSQL backend serving `database` (the server's pool). */
async function backendTicks(
  admin: { query(text: string, values: unknown[]): Promise<{ rows: { pid: number }[] }> },
  database: string,
): Promise<Map<number, number>> {
  const { rows } = await admin.query('select pid from pg_stat_activity where datname = $1', [
    database,
  ]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    const s = stat(pid);
    if (s) ticks.set(pid, s.ticks);
  }
  return ticks;
}

/**
 * The CPU PostgreSQL spends for one database between two calls, from its backends' /proc
 * entries (the server runs on this machine): `const done = await databaseCpu(...)`, then
 * `await done()` gives the ms. A backend that started in between counts whole; one that exited
 * in between is lost (the pools keep theirs open).
 */
export async function databaseCpu(
  admin: { query(text: string, values: unknown[]): Promise<{ rows: { pid: number }[] }> },
  database: string,
): Promise<() => Promise<number>> {
  const before = await backendTicks(admin, database);
  return async () => {
    const after = await backendTicks(admin, database);
    let total = 0;
    for (const [pid, t] of after) total += t - (before.get(pid) ?? 0);
    return (total * 1000) / TICKS_PER_SECOND;
  };
}
