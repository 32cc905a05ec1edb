import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Reads the first line of standard input (for `--password-stdin`). */
export async function readFirstStdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

/** Asks for a secret on the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/**
 * Gets a new password from `--password-stdin` or an interactive prompt (asked twice); never
 * from argv, where other users of the machine could read it.
 * @throws Error when neither is possible or the two entries differ.
 */
export async function readNewPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readFirstStdinLine();
  if (!process.stdin.isTTY)
    throw new Error('no terminal to ask for the password: pipe it in with --password-stdin');
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Password (again): ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

/**
 * Asks the person at the terminal to type `expected` to go ahead with something that cannot be
 * undone; `--yes` skips the question (scripts), and without a terminal there is no one to ask.
 * @throws Error when there is no terminal, or the answer is not `expected`.
 */
export async function confirmOnTerminal(question: string, expected: string): Promise<void> {
  if (!process.stdin.isTTY) throw new Error('no terminal to confirm on: pass --yes');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  if (answer.trim() !== expected) throw new Error('not confirmed; nothing was changed');
}
