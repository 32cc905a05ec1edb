// `npm run dev`: the Next.js dev server on the embedded database, with no environment needed.
import { spawn } from 'node:child_process';

const children = [];
function run(command, args, env = {}) {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  children.push(child);
  child.on('exit', (code) => {
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
  return child;
}

run(process.execPath, ['node_modules/next/dist/bin/next', 'dev', ...process.argv.slice(2)]);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => children.forEach((c) => c.kill(signal)));
