import { spawn } from 'node:child_process';
import { mkdtemp, readFile, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ```sh blocks of a Markdown file, in order. */
export async function shellBlocks(markdownPath: string): Promise<string[]> {
  const text = await readFile(markdownPath, 'utf8');
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
}

/**
 * A fresh working copy of the built repository: a new directory whose sources,
 * builds and installed modules are links to this checkout, so files a README
 * writes (logs, jwks.json) land in it and nowhere else.
 */
export async function freshCopy(repoRoot: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leasehold-readme-'));
  for (const entry of ['apps', 'packages', 'examples', 'python', 'node_modules', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json']) {
    await symlink(join(repoRoot, entry), join(dir, entry));
  }
  return dir;
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a script with `bash -e` in `cwd`; resolves with its exit code and output. */
export function runBash(script: string, cwd: string, env: Record<string, string>, timeoutMs = 120_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
