import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquirePgliteLock, DatabaseLockedError } from '@/db/pglite-lock';

const RACERS = 20;
const ROUNDS = 30;

type Reply = { ready?: true; released?: true; won?: boolean; name?: string; message?: string };

/** A PID that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

/** /proc/PID/stat field 22: the process's start time in clock ticks since boot. */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

function staleLock(pid: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    pid,
    command: 'next start',
    since: '2026-01-01T00:00:00.000Z',
    ...extra,
  });
}

function nextReply(child: ChildProcess): Promise<Reply> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as Reply)));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kit-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the one-process lock of the embedded database', () => {
  describe(`${RACERS} processes taking over a stale lock at the same instant, ${ROUNDS} rounds`, () => {
    const racers: ChildProcess[] = [];
    beforeAll(async () => {
      for (let i = 0; i < RACERS; i++) {
        const child = fork(join(import.meta.dirname, 'lock-racer.ts'), {
          execArgv: ['--import', 'tsx'],
        });
        racers.push(child);
      }
      await Promise.all(racers.map(nextReply));
    }, 120_000);
    afterAll(() => racers.forEach((child) => child.kill()));

    it('exactly one wins every round; the others are refused with the lock file named', async () => {
      const winners: number[] = [];
      const refusals: (Reply & { file: string })[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const dataDir = join(dir, `race-${round}`);
        writeFileSync(`${dataDir}.lock`, staleLock(deadPid()));
        const at = Date.now() + 100;
        const replies = Promise.all(racers.map(nextReply));
        racers.forEach((child) => child.send({ type: 'race', dataDir, at }));
        const results = await replies;
        const won = results.filter((r) => r.won);
        winners.push(won.length);
        refusals.push(
          ...results.filter((r) => !r.won).map((r) => ({ ...r, file: `${dataDir}.lock` })),
        );
        // The lock names the winner, and nothing but the lock is left beside the directory.
        const holder = JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')) as { pid: number };
        expect(racers.map((c) => c.pid)).toContain(holder.pid);
        const released = Promise.all(racers.map(nextReply));
        racers.forEach((child) => child.send({ type: 'release' }));
        await released;
        expect(readdirSync(dir).filter((name) => name.startsWith(`race-${round}.`))).toEqual([]);
      }
      expect(winners).toEqual(Array(ROUNDS).fill(1));
      for (const refusal of refusals) {
        expect(refusal.name).toBe('DatabaseLockedError');
        expect(refusal.message).toContain(refusal.file);
      }
    }, 120_000);
  });

  it('a second process is refused while the first holds the lock, naming the holder and the file', async () => {
    const dataDir = join(dir, 'double-open');
    const holder = fork(join(import.meta.dirname, 'lock-racer.ts'), {
      execArgv: ['--import', 'tsx'],
    });
    try {
      await nextReply(holder);
      const reply = nextReply(holder);
      holder.send({ type: 'race', dataDir, at: 0 });
      expect((await reply).won).toBe(true);
      const error = (() => {
        try {
          acquirePgliteLock(dataDir);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(DatabaseLockedError);
      expect(error!.message).toContain(`process ${holder.pid}`);
      expect(error!.message).toContain(`its lock file is ${dataDir}.lock`);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);

  it('a lock left by a killed holder is taken over', async () => {
    const dataDir = join(dir, 'killed');
    const holder = fork(join(import.meta.dirname, 'lock-racer.ts'), {
      execArgv: ['--import', 'tsx'],
    });
    await nextReply(holder);
    const reply = nextReply(holder);
    holder.send({ type: 'race', dataDir, at: 0 });
    expect((await reply).won).toBe(true);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const release = acquirePgliteLock(dataDir);
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')).pid).toBe(process.pid);
    release();
  }, 60_000);

  it('a zombie holder is dead', async () => {
    // The shell backgrounds a process that exits at once and then becomes `sleep`, which never
    // reaps it: the child stays a zombie until the sleep ends.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 10'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number(
        await new Promise<string>((r) => parent.stdout!.once('data', (d) => r(String(d)))),
      );
      for (let i = 0; i < 50 && !readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toContain(') Z ');
      const dataDir = join(dir, 'zombie');
      writeFileSync(`${dataDir}.lock`, staleLock(zombie, { started: startTime(zombie) }));
      acquirePgliteLock(dataDir)();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a PID now running another process (started at another time) is dead; the same process is live', () => {
    const dataDir = join(dir, 'recycled');
    // This test's own PID with another start time: the PID was recycled.
    writeFileSync(`${dataDir}.lock`, staleLock(process.ppid, { started: '1' }));
    acquirePgliteLock(dataDir)();
    writeFileSync(`${dataDir}.lock`, staleLock(process.ppid, { started: startTime(process.ppid) }));
    expect(() => acquirePgliteLock(dataDir)).toThrow(DatabaseLockedError);
  });

  it('an empty or unreadable lock file (an older kit killed while writing it) is stale', () => {
    const dataDir = join(dir, 'empty');
    writeFileSync(`${dataDir}.lock`, '');
    acquirePgliteLock(dataDir)();
    writeFileSync(`${dataDir}.lock`, '{"pid":');
    acquirePgliteLock(dataDir)();
  });

  it('a takeover claim left by a process killed mid-takeover is taken over too, and cleaned up', () => {
    const dataDir = join(dir, 'claim');
    const stale = staleLock(deadPid());
    writeFileSync(`${dataDir}.lock`, stale);
    const digest = createHash('sha256').update(stale).digest('hex').slice(0, 16);
    writeFileSync(
      `${dataDir}.lock.takeover-${digest}`,
      staleLock(deadPid(), { nonce: 'claimant' }),
    );
    const release = acquirePgliteLock(dataDir);
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')).pid).toBe(process.pid);
    expect(readdirSync(dir).filter((name) => name.startsWith('claim.'))).toEqual(['claim.lock']);
    release();
    expect(readdirSync(dir).filter((name) => name.startsWith('claim.'))).toEqual([]);
  });

  it('a live claimant mid-takeover makes the others wait and then see the new holder', () => {
    const dataDir = join(dir, 'live-claim');
    const stale = staleLock(deadPid());
    writeFileSync(`${dataDir}.lock`, stale);
    const digest = createHash('sha256').update(stale).digest('hex').slice(0, 16);
    // A live claimant (the parent process) that never finishes: the lock stays untaken.
    const claimant = staleLock(process.ppid, { started: startTime(process.ppid) });
    writeFileSync(`${dataDir}.lock.takeover-${digest}`, claimant);
    expect(() => acquirePgliteLock(dataDir)).toThrow(/Could not take the lock/);
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(stale);
  });
});
