import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
// .ci/run installs Debian's shellcheck package.
if (!shellcheck) console.warn('SKIPPED shellcheck: not on PATH (apt-get install shellcheck)');

/** Shell scripts of the repository: .ci/run and every tracked *.sh. */
const scripts = execFileSync('git', ['ls-files', '.ci/run', '*.sh'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'leasehold-shellcheck-'));
const check = (files: string[]) => spawnSync('shellcheck', ['--severity=style', '--shell=bash', ...files], { cwd: ROOT, encoding: 'utf8' });

/**
 * The `run:` steps of the workflows as bash scripts (GitHub runs them with
 * `bash -e`), each `${{ … }}` expression replaced by a quoted variable: the
 * expression is substituted before the shell sees the script.
 */
function workflowScripts(): string[] {
  const out: string[] = [];
  const workflows = join(ROOT, '.github/workflows');
  for (const file of readdirSync(workflows).filter((f) => f.endsWith('.yml'))) {
    const jobs = parse(readFileSync(join(workflows, file), 'utf8')).jobs as Record<string, { steps?: { run?: string; name?: string }[] }>;
    for (const [job, { steps = [] }] of Object.entries(jobs)) {
      steps.forEach((step, i) => {
        if (!step.run) return;
        const path = join(dir, `${file}.${job}.${i}.sh`);
        writeFileSync(path, `#!/usr/bin/env bash\nset -e\n${step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPRESSION')}\n`);
        out.push(path);
      });
    }
  }
  return out;
}

describe.skipIf(!shellcheck)(`shellcheck${shellcheck ? '' : ' (skipped: shellcheck not installed)'}`, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on the scripts and on the workflows’ run steps', () => {
    expect(scripts).toContain('.ci/run');
    const run = check([...scripts, ...workflowScripts()]);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('really checks: an unquoted expansion fails', () => {
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/usr/bin/env bash\ntarget=$1\nrm -rf $target/cache\n');
    expect(check([bad]).stdout).toMatch(/SC2086/);
  });
});
