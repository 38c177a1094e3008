import { type RunEnvironment, run } from '../src/run.js';

/** Runs the CLI in-process and captures what it printed. */
export async function leasehold(args: string[], env: Record<string, string | undefined>, extra: Partial<RunEnvironment> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    sleep: async () => {},
    ...extra,
  });
  return {
    code,
    stdout,
    stderr, // biome-ignore lint/suspicious/noExplicitAny: test output is read loosely
    json: () => JSON.parse(stdout) as Record<string, any>,
  };
}
