import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './server.js';

/** The built programs a user runs. */
export const programs = {
  sdkEsm: join(repoRoot, 'packages/client/test/fixtures/program.mjs'),
  sdkCjs: join(repoRoot, 'packages/client/test/fixtures/program.cjs'),
  cli: join(repoRoot, 'packages/cli/dist/main.js'),
  coditect: join(repoRoot, 'examples/coditect-cli/dist/main.js'),
};

/** How one run of a program ended. */
export interface ProgramRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** Runs `node script ...args` to its end (killed after `killAfterMs`), with only the given environment. */
export function runProgram(script: string, args: string[], env: Record<string, string>, killAfterMs = 60_000): Promise<ProgramRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += String(c);
  });
  child.stderr.on('data', (c) => {
    stderr += String(c);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    }),
  );
}
